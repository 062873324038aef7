"""Uptime per component from its recorded status periods, day by day in the page's time zone."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q

from watchkeeper.statuspage.models import StatusPeriod
from watchkeeper.statuspage.vocabulary import DOWNTIME_WEIGHT, ComponentStatus, worst_status

DAYS = 90


@dataclass
class Day:
    day: date
    worst: str = ComponentStatus.OPERATIONAL.value
    # Seconds spent in each status other than operational.
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def has_problem(self) -> bool:
        return self.worst != ComponentStatus.OPERATIONAL.value

    @property
    def summary(self) -> str:
        if not self.has_problem:
            return "No recorded problems"
        parts = [f"{ComponentStatus(s).label} for {_minutes(v)}" for s, v in sorted(self.seconds.items())]
        return "; ".join(parts)


@dataclass
class History:
    days: list[Day]
    uptime_percent: float

    @property
    def problem_days(self) -> list[Day]:
        return [d for d in self.days if d.has_problem]

    @property
    def segments(self) -> list[tuple[str, int]]:
        """Runs of days with the same worst status, oldest first: the bar is drawn from these, not day by day."""
        runs: list[tuple[str, int]] = []
        for day in self.days:
            if runs and runs[-1][0] == day.worst:
                runs[-1] = (day.worst, runs[-1][1] + 1)
            else:
                runs.append((day.worst, 1))
        return runs

    @property
    def uptime_text(self) -> str:
        return f"{self.uptime_percent:.2f}%"


def _minutes(seconds: float) -> str:
    minutes = max(1, round(seconds / 60))
    if minutes < 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours, rest = divmod(minutes, 60)
    return f"{hours} hour{'s' if hours != 1 else ''}" + (f" {rest} minutes" if rest else "")


def histories(component_ids: list[int], now: datetime, tz: str, days: int = DAYS) -> dict[int, History]:
    """One query for every component: the last ``days`` local days, today included."""
    zone = ZoneInfo(tz)
    today = now.astimezone(zone).date()
    first = today - timedelta(days=days - 1)
    window_start = datetime.combine(first, time.min, zone)
    window_seconds = max((now - window_start).total_seconds(), 1.0)
    day_starts = [datetime.combine(first + timedelta(days=i), time.min, zone) for i in range(days + 1)]
    by_component: dict[int, dict[date, Day]] = defaultdict(dict)
    weighted: dict[int, float] = defaultdict(float)
    periods = (
        StatusPeriod.objects.filter(component_id__in=component_ids, started_at__lt=now)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=window_start))
        .exclude(status=ComponentStatus.OPERATIONAL.value)
        .only("component_id", "status", "started_at", "ended_at")
    )
    for period in periods:
        start = max(period.started_at, window_start)
        end = min(period.ended_at or now, now)
        if end <= start:
            continue
        weighted[period.component_id] += (end - start).total_seconds() * DOWNTIME_WEIGHT[ComponentStatus(period.status)]
        # Only the days the period touches: looping over all 90 for every period was most of a render's time.
        for index in range(max(bisect_right(day_starts, start) - 1, 0), min(bisect_left(day_starts, end), days)):
            day_start, day_end = day_starts[index], day_starts[index + 1]
            overlap = (min(end, day_end) - max(start, day_start)).total_seconds()
            if overlap <= 0:
                continue
            record = by_component[period.component_id].setdefault(day_start.date(), Day(day_start.date()))
            record.seconds[period.status] = record.seconds.get(period.status, 0.0) + overlap
            record.worst = worst_status([record.worst, period.status]).value
    result: dict[int, History] = {}
    for component_id in component_ids:
        recorded = by_component.get(component_id, {})
        all_days = [recorded.get(first + timedelta(days=i)) or Day(first + timedelta(days=i)) for i in range(days)]
        uptime = 100.0 * (1 - min(weighted.get(component_id, 0.0), window_seconds) / window_seconds)
        result[component_id] = History(days=all_days, uptime_percent=uptime)
    return result

"""How times and durations read to a person at 3am: local wall time, plain relative phrases."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings


def local_time(instant: datetime | None, tz: str | None = None) -> datetime | None:
    if instant is None:
        return None
    return instant.astimezone(ZoneInfo(tz or settings.TIME_ZONE))


def when(instant: datetime | None, tz: str | None = None) -> str:
    """'Fri 27 Nov 2026, 14:05 GMT': day name included because deadlines cross weekends."""
    local = local_time(instant, tz)
    if local is None:
        return "Not set"
    return local.strftime("%a %-d %b %Y, %H:%M %Z")


def duration(span: timedelta | None) -> str:
    if span is None:
        return "Not known"
    minutes = int(abs(span).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [
        f"{value} {unit}{'' if value == 1 else 's'}"
        for value, unit in ((days, "day"), (hours, "hour"), (mins, "minute"))
        if value
    ]
    if not parts:
        return "less than a minute"
    return " ".join(parts[:2])


def relative(deadline: datetime | None, now: datetime) -> str:
    """'due in 12 minutes' or 'overdue by 5 minutes': the words carry the meaning, not a colour."""
    if deadline is None:
        return "Nothing due"
    if deadline >= now:
        return f"due in {duration(deadline - now)}"
    return f"overdue by {duration(now - deadline)}"

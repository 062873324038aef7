"""Statistics for insights: medians, the 90th percentile, shares, and compliance on a priority's own clock.

Pure: no Django, no clock reads. Callers pass ``now`` for incidents still running.

Definitions (they are the contract the export lets anyone reproduce):

- **median**: the middle value of the sorted values; with an even count, the mean of the two middle values.
- **p90**: the nearest-rank 90th percentile: the smallest value ``v`` such that at least 90% of the values
  are less than or equal to ``v``, i.e. ``sorted(values)[ceil(0.9 * n) - 1]``. It is always one of the
  values (never interpolated), so one long incident cannot invent a figure nobody experienced.
- **pct**: ``100 * met / of`` rounded to one decimal place, or ``None`` when ``of`` is 0.
- **response met**: the incident lead was established no later than start + the priority's response time on
  the service's own clock (elapsed for P1/P2, office time with bank holidays for P3/P4): the same deadline
  the live clock uses. Not yet responded and not yet due counts in neither ``met`` nor ``of``.
- **updates on time**: each update that fell due while the incident was active is one required update; it
  is on time if an update was given by the due instant. A late or missing update counts once, however
  late, and its lateness is the overdue gap. Repeating policies (P1/P2) owe the next update one interval
  after the last; single-update policies (P3/P4) owe one per active period (reopening starts a new one).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from watchkeeper.domain.office_time import OfficeCalendar, add_span, require_aware
from watchkeeper.domain.priority import PriorityPolicy, SpanKind


def median(values: Sequence[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


def nearest_rank(values: Sequence[float], share: float) -> float | None:
    """The nearest-rank percentile: the smallest value with at least ``share`` of the values at or below it."""
    if not 0 < share <= 1:
        raise ValueError(f"a percentile's share must be in (0, 1], not {share}")
    if not values:
        return None
    ordered = sorted(values)
    # Rounded first so 0.9 * 10 (9.000000000000002 in floating point) is rank 9, not 10.
    rank = math.ceil(round(share * len(ordered), 9))
    return float(ordered[max(rank, 1) - 1])


def p90(values: Sequence[float]) -> float | None:
    return nearest_rank(values, 0.9)


def pct(met: int, of: int) -> float | None:
    return None if of == 0 else round(100 * met / of, 1)


@dataclass(frozen=True)
class Share:
    met: int = 0
    of: int = 0

    @property
    def pct(self) -> float | None:
        return pct(self.met, self.of)

    def __add__(self, other: Share) -> Share:
        return Share(self.met + other.met, self.of + other.of)

    def as_dict(self) -> dict[str, int | float | None]:
        return {"met": self.met, "of": self.of, "pct": self.pct}


def share_of(outcomes: Iterable[bool | None]) -> Share:
    """True counts as met, False as missed, None (not yet decided) as neither."""
    met = of = 0
    for outcome in outcomes:
        if outcome is None:
            continue
        of += 1
        met += outcome
    return Share(met, of)


def seconds_between(start: datetime | None, end: datetime | None) -> float | None:
    """Elapsed seconds, or None if either end is missing."""
    if start is None or end is None:
        return None
    # Subtracting a naive from an aware datetime raises, so no separate check is needed.
    return (end - start).total_seconds()


def respond_by(policy: PriorityPolicy, cal: OfficeCalendar, start: datetime) -> datetime:
    """The response deadline on the priority's own clock: the same instant the live clock shows."""
    return add_span(cal, start, policy.respond_within)


def response_met(
    policy: PriorityPolicy, cal: OfficeCalendar, start: datetime, responded_at: datetime | None, now: datetime
) -> bool | None:
    """Whether the response time was met; None while it is neither met nor yet missed."""
    return met_by(respond_by(policy, cal, start), responded_at, now)


def met_by(deadline: datetime, done_at: datetime | None, now: datetime) -> bool | None:
    """Done by the deadline (the very instant counts); missed once it passes undone; else not decided yet."""
    if done_at is not None:
        return require_aware(done_at, "done_at") <= deadline
    return False if require_aware(now, "now") > deadline else None


@dataclass(frozen=True)
class UpdateRecord:
    """Update discipline for one incident."""

    required: int
    on_time: int
    longest_overdue: timedelta

    @property
    def late(self) -> int:
        return self.required - self.on_time


Period = tuple[datetime, datetime | None]


def _period_updates(
    policy: PriorityPolicy, cal: OfficeCalendar, begin: datetime, end: datetime, updates: Sequence[datetime]
) -> tuple[int, int, timedelta]:
    """Required, on time and the longest overdue gap within one active period ``[begin, end)``."""
    required = on_time = 0
    longest = timedelta(0)
    cursor = begin
    interval = policy.update_interval
    # Elapsed intervals are plain arithmetic; only office-time ones need the calendar.
    step = timedelta(minutes=interval.amount) if interval.kind is SpanKind.ELAPSED else None
    while True:
        due = cursor + step if step is not None else add_span(cal, cursor, interval)
        if due >= end:
            # Resolved (or still running) before anything fell due; an early update moves the next due later still.
            return required, on_time, longest
        index = bisect_right(updates, cursor)
        given = updates[index] if index < len(updates) and updates[index] < end else None
        required += 1
        if given is not None and given <= due:
            on_time += 1
        else:
            longest = max(longest, (given or end) - due)
        if given is None or not policy.updates_repeat:
            return required, on_time, longest
        cursor = given


def update_discipline(
    policy: PriorityPolicy,
    cal: OfficeCalendar,
    periods: Sequence[Period],
    updates: Sequence[datetime],
    now: datetime,
) -> UpdateRecord:
    """How many updates fell due in the active ``periods`` (an open period ends at ``now``), and how many on time."""
    now = require_aware(now, "now")
    ordered = sorted(require_aware(u, "update") for u in updates)
    required = on_time = 0
    longest = timedelta(0)
    for begin, end in periods:
        stop = min(end, now) if end is not None else now
        if stop <= begin:
            continue
        # In UTC, so adding an elapsed interval is never wall-clock arithmetic across a clock change.
        r, o, gap = _period_updates(policy, cal, require_aware(begin, "begin").astimezone(UTC), stop, ordered)
        required, on_time, longest = required + r, on_time + o, max(longest, gap)
    return UpdateRecord(required, on_time, longest)

"""Insights statistics checked against slow, obvious references and the GDS table's own examples."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from watchkeeper.catalogue.holidays import bank_holidays
from watchkeeper.domain.office_time import Division, OfficeCalendar
from watchkeeper.domain.priority import DEFAULT_POLICIES, Priority, PriorityPolicy
from watchkeeper.domain.statistics import (
    Share,
    median,
    nearest_rank,
    p90,
    pct,
    response_met,
    share_of,
    update_discipline,
)

CAL = OfficeCalendar(holidays=bank_holidays(Division.ENGLAND_AND_WALES))
MINUTE = timedelta(minutes=1)
checks = settings(max_examples=150, deadline=None)
numbers = st.lists(st.integers(0, 10**6).map(float), max_size=60)


def _ranked(values: list[float], rank: int) -> float:
    """The value at 0-based ``rank`` in sorted order, found by counting rather than sorting."""
    return next(v for v in values if sum(1 for x in values if x < v) <= rank < sum(1 for x in values if x <= v))


def slow_median(values: list[float]) -> float | None:
    """The middle value by counting; with an even count, the mean of the two middle ones."""
    if not values:
        return None
    n = len(values)
    if n % 2:
        return _ranked(values, n // 2)
    return (_ranked(values, n // 2 - 1) + _ranked(values, n // 2)) / 2


def slow_p90(values: list[float]) -> float | None:
    """The smallest value with at least 90% of the values at or below it, found by trying every value."""
    if not values:
        return None
    return min(v for v in values if 10 * sum(1 for x in values if x <= v) >= 9 * len(values))


@checks
@given(numbers)
def test_median_matches_the_reference(values: list[float]) -> None:
    assert median(values) == slow_median(values)


@checks
@given(numbers)
def test_p90_matches_the_reference(values: list[float]) -> None:
    assert p90(values) == slow_p90(values)
    if values:
        assert p90(values) in values


def test_the_documented_examples() -> None:
    assert median([]) is None and p90([]) is None
    assert median([3.0, 1.0, 2.0]) == 2.0
    assert median([4.0, 1.0, 2.0, 3.0]) == 2.5
    assert p90([float(n) for n in range(1, 11)]) == 9.0  # 9 of 10 at or below 9
    assert p90([float(n) for n in range(1, 12)]) == 10.0  # ceil(9.9) = 10th of 11
    assert p90([1.0]) == 1.0
    # One very long incident does not move the median at all, and p90 only to a value that happened.
    assert median([60.0] * 9 + [10**7]) == 60.0
    with pytest.raises(ValueError):
        nearest_rank([1.0], 0)


def test_shares() -> None:
    assert pct(0, 0) is None and pct(1, 3) == 33.3 and pct(2, 3) == 66.7
    assert share_of([True, False, None, True]) == Share(2, 3)
    assert (Share(1, 2) + Share(1, 1)).as_dict() == {"met": 2, "of": 3, "pct": 66.7}


def _slow_deadline(cal: OfficeCalendar, policy: PriorityPolicy, start: datetime) -> datetime:
    """Walks a minute at a time, counting minutes when the office is open, until the response time has passed."""
    span = policy.respond_within
    if span.kind.value == "elapsed":
        return start + span.amount * MINUTE
    needed = span.amount if span.kind.value == "office_hours" else span.amount * int(cal.business_day / MINUTE)
    counted, minute = 0, start
    while counted < needed:
        local = minute.astimezone(cal.zone)
        day = local.date()
        if (
            day.weekday() in cal.working_days
            and day not in cal.holidays.dates
            and cal.opening <= local.time() < cal.closing
        ):
            counted += 1
        minute += MINUTE
    return minute


starts = st.integers(0, 60 * 24 * 700).map(lambda n: datetime(2026, 1, 1, tzinfo=UTC) + n * MINUTE)
delays = st.integers(0, 60 * 24 * 4).map(lambda n: n * MINUTE)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(list(Priority)), starts, delays)
def test_response_met_matches_a_minute_by_minute_clock(priority: Priority, start: datetime, delay: timedelta) -> None:
    policy = DEFAULT_POLICIES[priority]
    deadline = _slow_deadline(CAL, policy, start)
    assert response_met(policy, CAL, start, start + delay, start) == (start + delay <= deadline)
    # Not responded: undecided until the deadline passes, missed after it.
    assert response_met(policy, CAL, start, None, start + delay) == (False if start + delay > deadline else None)


def _slow_updates(
    interval: timedelta, repeat: bool, begin: datetime, end: datetime, updates: list[datetime]
) -> tuple[int, int, timedelta]:
    """A minute-by-minute walk: an update owed at each due minute; the next one it owes is counted at that minute."""
    required = on_time = 0
    longest = timedelta(0)
    since, owed = begin, True
    given_at = sorted(u for u in updates if begin < u < end)
    minute = begin
    while minute < end and owed:
        due = since + interval
        if minute == due:
            required += 1
            later = [u for u in given_at if u > since]
            if later and later[0] <= due:
                on_time += 1
            else:
                longest = max(longest, (later[0] if later else end) - due)
            if not later or not repeat:
                owed = False
            else:
                since = later[0]
                minute = since
                continue
        minute += MINUTE
    return required, on_time, longest


@checks
@given(
    st.sampled_from([Priority.P1, Priority.P2]),
    st.integers(1, 600).map(lambda n: n * MINUTE),
    st.lists(st.integers(1, 600), max_size=8),
)
def test_repeating_updates_match_a_minute_by_minute_walk(
    priority: Priority, length: timedelta, offsets: list[int]
) -> None:
    policy = DEFAULT_POLICIES[priority]
    begin = datetime(2026, 3, 29, 0, 0, tzinfo=UTC)  # across the spring clock change, which elapsed time ignores
    updates = [begin + n * MINUTE for n in offsets]
    record = update_discipline(policy, CAL, [(begin, begin + length)], updates, begin + 10 * length)
    expected = _slow_updates(policy.update_interval.amount * MINUTE, True, begin, begin + length, updates)
    assert (record.required, record.on_time, record.longest_overdue) == expected


def test_a_p2_update_five_minutes_late_counts_once_as_late() -> None:
    policy = DEFAULT_POLICIES[Priority.P2]
    begin = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    updates = [begin + timedelta(hours=2, minutes=5), begin + timedelta(hours=3)]
    record = update_discipline(
        policy, CAL, [(begin, begin + timedelta(hours=5, minutes=30))], updates, begin + timedelta(days=1)
    )
    # Due 11:00, given 11:05 (late, once); due 13:05, given 12:00 (on time); due 14:00, resolved 14:30 without one.
    assert (record.required, record.on_time, record.late) == (3, 1, 2)
    assert record.longest_overdue == timedelta(minutes=30)
    record = update_discipline(
        policy, CAL, [(begin, begin + timedelta(hours=3))], updates[:1], begin + timedelta(days=1)
    )
    assert (record.required, record.on_time, record.longest_overdue) == (1, 0, timedelta(minutes=5))


def test_a_single_update_policy_owes_one_per_active_period() -> None:
    policy = DEFAULT_POLICIES[Priority.P3]  # once, after 2 business days
    monday = datetime(2026, 6, 1, 8, 30, tzinfo=UTC)  # 09:30 BST
    periods = [(monday, monday + timedelta(days=7)), (monday + timedelta(days=8), None)]
    updates = [monday + timedelta(days=1)]
    record = update_discipline(policy, CAL, periods, updates, monday + timedelta(days=20))
    # On time in the first period; nothing given after reopening, due two business days later.
    assert (record.required, record.on_time) == (2, 1)
    # The open period ends now: not yet due means not yet required.
    record = update_discipline(policy, CAL, periods, updates, monday + timedelta(days=9))
    assert (record.required, record.on_time) == (1, 1)

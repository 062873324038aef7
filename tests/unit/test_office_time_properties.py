"""The office clock checked against a slow reference that looks at one minute at a time.

The reference shares nothing with the implementation but the calendar's fields: it asks
what the wall clock says at each minute, where the implementation works out each day's
opening and closing instants.
"""

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from watchkeeper.catalogue.holidays import bank_holidays
from watchkeeper.domain.office_time import (
    Division,
    OfficeCalendar,
    add_office_time,
    is_office_time,
    office_time_between,
)

MINUTE = timedelta(minutes=1)
FIRST_START = datetime(2026, 1, 1, tzinfo=UTC)
LAST_START = datetime(2027, 12, 31, 23, 59, tzinfo=UTC)

CALENDARS = [
    OfficeCalendar(holidays=bank_holidays(Division.ENGLAND_AND_WALES)),
    OfficeCalendar(
        holidays=bank_holidays(Division.SCOTLAND), division=Division.SCOTLAND, opening=time(9), closing=time(17)
    ),
    OfficeCalendar(
        holidays=bank_holidays(Division.NORTHERN_IRELAND),
        division=Division.NORTHERN_IRELAND,
        working_days=frozenset({1, 2, 3, 4, 5}),
        opening=time(8, 15),
        closing=time(12, 45),
        closures=frozenset({date(2026, 6, 2), date(2026, 12, 29), date(2027, 8, 20)}),
    ),
]

calendars = st.sampled_from(CALENDARS)
whole_minutes = st.integers(0, int((LAST_START - FIRST_START) / MINUTE)).map(lambda n: FIRST_START + n * MINUTE)
any_instant = st.datetimes(
    min_value=FIRST_START.replace(tzinfo=None), max_value=LAST_START.replace(tzinfo=None), timezones=st.just(UTC)
)
# Up to two business days of the longest calendar: long enough to cross weekends and holidays.
amounts = st.integers(0, 2 * 8 * 60).map(lambda n: n * MINUTE)

checks = settings(max_examples=200, deadline=None)


def is_office_minute(cal: OfficeCalendar, minute: datetime) -> bool:
    local = minute.astimezone(cal.zone)
    day = local.date()
    return (
        day.weekday() in cal.working_days
        and day not in cal.closures
        and day not in cal.holidays.dates
        and cal.opening <= local.time() < cal.closing
    )


def reference_add(cal: OfficeCalendar, start: datetime, amount: timedelta) -> datetime:
    instant, left = start, amount
    while left:
        if is_office_minute(cal, instant):
            left -= MINUTE
        instant += MINUTE
    return instant


def reference_between(cal: OfficeCalendar, start: datetime, end: datetime) -> timedelta:
    minutes = int((end - start) / MINUTE)
    return sum((MINUTE for n in range(minutes) if is_office_minute(cal, start + n * MINUTE)), timedelta(0))


@checks
@given(calendars, whole_minutes, amounts)
def test_add_office_time_matches_the_reference(cal: OfficeCalendar, start: datetime, amount: timedelta) -> None:
    assert add_office_time(cal, start, amount) == reference_add(cal, start, amount)


@checks
@given(calendars, whole_minutes, st.integers(0, 4 * 24 * 60).map(lambda n: n * MINUTE))
def test_office_time_between_matches_the_reference(cal: OfficeCalendar, start: datetime, length: timedelta) -> None:
    assert office_time_between(cal, start, start + length) == reference_between(cal, start, start + length)


@checks
@given(calendars, any_instant, amounts)
def test_adding_then_measuring_round_trips(cal: OfficeCalendar, start: datetime, amount: timedelta) -> None:
    assert office_time_between(cal, start, add_office_time(cal, start, amount)) == amount


@checks
@given(calendars, any_instant, amounts, amounts)
def test_more_office_time_ends_later(cal: OfficeCalendar, start: datetime, a: timedelta, b: timedelta) -> None:
    shorter, longer = sorted((a, b))
    if shorter == longer:
        assert add_office_time(cal, start, shorter) == add_office_time(cal, start, longer)
    else:
        assert add_office_time(cal, start, shorter) < add_office_time(cal, start, longer)


@checks
@given(calendars, any_instant, amounts.filter(bool))
def test_the_deadline_is_the_earliest_instant(cal: OfficeCalendar, start: datetime, amount: timedelta) -> None:
    # The moment before the deadline is still office time: the clock stopped as soon as it could.
    deadline = add_office_time(cal, start, amount)
    assert is_office_time(cal, deadline - timedelta(microseconds=1))

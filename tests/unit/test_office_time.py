from datetime import UTC, date, datetime, time, timedelta

import pytest

from watchkeeper.catalogue.holidays import default_calendar
from watchkeeper.domain.office_time import (
    BankHolidays,
    BeyondKnownHolidays,
    Division,
    OfficeCalendar,
    add_business_days,
    add_office_time,
    add_span,
    is_office_time,
    office_time_between,
)
from watchkeeper.domain.priority import Span

EW = default_calendar(Division.ENGLAND_AND_WALES)
SCOTLAND = default_calendar(Division.SCOTLAND)
NI = default_calendar(Division.NORTHERN_IRELAND)
CALENDARS = {Division.ENGLAND_AND_WALES: EW, Division.SCOTLAND: SCOTLAND, Division.NORTHERN_IRELAND: NI}
EVERY_DAY = frozenset(range(7))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


def custom(**changes: object) -> OfficeCalendar:
    return OfficeCalendar(holidays=EW.holidays, **changes)  # type: ignore[arg-type]


def noon_on(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(12), EW.zone)


# --- the examples in DESIGN.md ------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        ("2026-06-12T16:30+01:00", "2026-06-15T10:30+01:00"),  # Friday afternoon runs on to Monday
        ("2026-06-12T15:30+01:00", "2026-06-12T17:30+01:00"),  # ends exactly at closing, not Monday 09:30
        ("2026-06-13T11:00+01:00", "2026-06-15T11:30+01:00"),  # Saturday: clock starts Monday at opening
    ],
)
def test_design_examples(start: str, expected: str) -> None:
    assert add_office_time(EW, at(start), hours(2)) == at(expected)


def test_results_are_in_utc() -> None:
    result = add_office_time(EW, at("2026-06-12T16:30+01:00"), hours(2))
    assert result.tzinfo is UTC
    assert result.isoformat() == "2026-06-15T09:30:00+00:00"


def test_adding_nothing_returns_the_start_even_out_of_hours() -> None:
    assert add_office_time(EW, at("2026-06-13T11:00+01:00"), timedelta(0)) == at("2026-06-13T10:00+00:00")


# --- bank holidays ------------------------------------------------------------------

CLOSED = [
    # England and Wales: every kind of holiday, substitutes and one-off days.
    (Division.ENGLAND_AND_WALES, "2026-01-01"),  # New Year's Day
    (Division.ENGLAND_AND_WALES, "2028-01-03"),  # New Year's Day, substitute for a Saturday
    (Division.ENGLAND_AND_WALES, "2026-04-03"),  # Good Friday
    (Division.ENGLAND_AND_WALES, "2026-04-06"),  # Easter Monday
    (Division.ENGLAND_AND_WALES, "2026-05-04"),  # early May
    (Division.ENGLAND_AND_WALES, "2020-05-08"),  # early May moved to a Friday for VE day
    (Division.ENGLAND_AND_WALES, "2026-05-25"),  # spring
    (Division.ENGLAND_AND_WALES, "2022-06-02"),  # spring moved to a Thursday for the Platinum Jubilee
    (Division.ENGLAND_AND_WALES, "2022-06-03"),  # Platinum Jubilee
    (Division.ENGLAND_AND_WALES, "2012-06-05"),  # Diamond Jubilee
    (Division.ENGLAND_AND_WALES, "2026-08-31"),  # summer
    (Division.ENGLAND_AND_WALES, "2026-12-25"),  # Christmas Day
    (Division.ENGLAND_AND_WALES, "2026-12-28"),  # Boxing Day, substitute for a Saturday
    (Division.ENGLAND_AND_WALES, "2027-12-27"),  # Christmas Day, substitute for a Saturday
    (Division.ENGLAND_AND_WALES, "2027-12-28"),  # Boxing Day, substitute for a Sunday
    (Division.ENGLAND_AND_WALES, "2022-09-19"),  # state funeral of Queen Elizabeth II
    (Division.ENGLAND_AND_WALES, "2023-05-08"),  # coronation of King Charles III
    # Scotland's own days.
    (Division.SCOTLAND, "2026-01-02"),  # 2 January
    (Division.SCOTLAND, "2027-01-04"),  # 2 January, substitute for a Saturday
    (Division.SCOTLAND, "2026-08-03"),  # summer: first Monday of August
    (Division.SCOTLAND, "2026-11-30"),  # St Andrew's Day
    (Division.SCOTLAND, "2025-12-01"),  # St Andrew's Day, substitute for a Sunday
    (Division.SCOTLAND, "2026-04-03"),  # Good Friday
    (Division.SCOTLAND, "2022-09-19"),
    # Northern Ireland's own days.
    (Division.NORTHERN_IRELAND, "2026-03-17"),  # St Patrick's Day
    (Division.NORTHERN_IRELAND, "2027-07-12"),  # Battle of the Boyne
    (Division.NORTHERN_IRELAND, "2026-07-13"),  # Battle of the Boyne, substitute for a Sunday
    (Division.NORTHERN_IRELAND, "2026-04-06"),  # Easter Monday
    (Division.NORTHERN_IRELAND, "2023-05-08"),
]

OPEN = [
    # Another division's holiday, or the day a moved holiday usually falls on.
    (Division.ENGLAND_AND_WALES, "2026-01-02"),
    (Division.ENGLAND_AND_WALES, "2026-08-03"),
    (Division.ENGLAND_AND_WALES, "2026-11-30"),
    (Division.ENGLAND_AND_WALES, "2026-03-17"),
    (Division.ENGLAND_AND_WALES, "2026-07-13"),
    (Division.ENGLAND_AND_WALES, "2020-05-04"),  # first Monday of May 2020: moved to 8 May
    (Division.ENGLAND_AND_WALES, "2022-05-30"),  # last Monday of May 2022: moved to 2 June
    (Division.SCOTLAND, "2026-04-06"),  # no Easter Monday in Scotland
    (Division.SCOTLAND, "2026-08-31"),
    (Division.SCOTLAND, "2026-03-17"),
    (Division.NORTHERN_IRELAND, "2026-01-02"),
    (Division.NORTHERN_IRELAND, "2026-08-03"),
    (Division.NORTHERN_IRELAND, "2026-11-30"),
]


@pytest.mark.parametrize(("division", "day"), CLOSED)
def test_bank_holidays_are_not_office_time(division: Division, day: str) -> None:
    assert not is_office_time(CALENDARS[division], noon_on(day))


@pytest.mark.parametrize(("division", "day"), OPEN)
def test_working_days_that_are_holidays_elsewhere(division: Division, day: str) -> None:
    assert is_office_time(CALENDARS[division], noon_on(day))


@pytest.mark.parametrize(
    ("division", "start", "expected"),
    [
        # Easter 2026: England and Wales lose Good Friday and Easter Monday, Scotland only Good Friday.
        (Division.ENGLAND_AND_WALES, "2026-04-02T17:00+01:00", "2026-04-07T10:00+01:00"),
        (Division.SCOTLAND, "2026-04-02T17:00+01:00", "2026-04-06T10:00+01:00"),
        (Division.NORTHERN_IRELAND, "2026-04-02T17:00+01:00", "2026-04-07T10:00+01:00"),
        # Christmas 2027 falls on a Saturday: both substitute days are closed.
        (Division.ENGLAND_AND_WALES, "2027-12-24T17:00+00:00", "2027-12-29T10:00+00:00"),
        # New Year 2027 in Scotland: 1 January, then 2 January's substitute on Monday the 4th.
        (Division.SCOTLAND, "2026-12-31T17:00+00:00", "2027-01-05T10:00+00:00"),
        (Division.ENGLAND_AND_WALES, "2026-12-31T17:00+00:00", "2027-01-04T10:00+00:00"),
        # Northern Ireland's Twelfth of July 2026 falls on a Sunday: Monday is the substitute.
        (Division.NORTHERN_IRELAND, "2026-07-10T17:00+01:00", "2026-07-14T10:00+01:00"),
        (Division.ENGLAND_AND_WALES, "2026-07-10T17:00+01:00", "2026-07-13T10:00+01:00"),
        # The Friday before the state funeral: straight past Monday 19 September 2022.
        (Division.ENGLAND_AND_WALES, "2022-09-16T17:00+01:00", "2022-09-20T10:00+01:00"),
    ],
)
def test_deadlines_skip_holidays(division: Division, start: str, expected: str) -> None:
    assert add_office_time(CALENDARS[division], at(start), hours(1)) == at(expected)


# --- exactly at opening and closing -------------------------------------------------


@pytest.mark.parametrize(
    ("clock", "expected"),
    [("09:29", False), ("09:30", True), ("09:31", True), ("17:29", True), ("17:30", False), ("17:31", False)],
)
def test_opening_is_inside_office_time_and_closing_is_not(clock: str, expected: bool) -> None:
    assert is_office_time(EW, at(f"2026-06-16T{clock}+01:00")) is expected


@pytest.mark.parametrize(
    ("start", "amount", "expected"),
    [
        ("2026-06-16T09:29+01:00", timedelta(minutes=1), "2026-06-16T09:31+01:00"),
        ("2026-06-16T09:30+01:00", timedelta(minutes=1), "2026-06-16T09:31+01:00"),
        ("2026-06-16T09:31+01:00", timedelta(minutes=1), "2026-06-16T09:32+01:00"),
        ("2026-06-16T17:29+01:00", timedelta(minutes=1), "2026-06-16T17:30+01:00"),
        ("2026-06-16T17:30+01:00", timedelta(minutes=1), "2026-06-17T09:31+01:00"),
        ("2026-06-16T17:31+01:00", timedelta(minutes=1), "2026-06-17T09:31+01:00"),
        ("2026-06-16T09:30+01:00", hours(8), "2026-06-16T17:30+01:00"),
        ("2026-06-16T09:30+01:00", hours(8) + timedelta(minutes=1), "2026-06-17T09:31+01:00"),
        ("2026-06-16T00:00+01:00", hours(8), "2026-06-16T17:30+01:00"),
        ("2026-06-16T12:00:30+01:00", timedelta(seconds=30), "2026-06-16T12:01+01:00"),
    ],
)
def test_adding_around_opening_and_closing(start: str, amount: timedelta, expected: str) -> None:
    assert add_office_time(EW, at(start), amount) == at(expected)


# --- weekends and business days ----------------------------------------------------


@pytest.mark.parametrize("instant", ["2026-06-13T12:00+01:00", "2026-06-14T12:00+01:00"])
def test_weekends_are_not_office_time(instant: str) -> None:
    assert not is_office_time(EW, at(instant))


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        ("2026-06-12T12:00+01:00", 1, "2026-06-15T12:00+01:00"),
        ("2026-06-12T12:00+01:00", 5, "2026-06-19T12:00+01:00"),
        ("2026-06-13T12:00+01:00", 1, "2026-06-15T17:30+01:00"),  # a whole day from the weekend ends at closing
        ("2026-06-12T17:30+01:00", 2, "2026-06-16T17:30+01:00"),
        ("2026-06-12T12:00+01:00", 0, "2026-06-12T12:00+01:00"),
        ("2026-12-24T16:30+00:00", 2, "2026-12-30T16:30+00:00"),
    ],
)
def test_add_business_days(start: str, days: int, expected: str) -> None:
    assert add_business_days(EW, at(start), days) == at(expected)


def test_many_business_days_are_quick_and_exact() -> None:
    # 2026 has 253 working days in England and Wales after its 8 bank holidays.
    assert add_business_days(EW, at("2026-01-01T00:00+00:00"), 253) == at("2026-12-31T17:30+00:00")


# --- clock changes -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        # Spring forward on Sunday 29 March 2026: Friday is GMT, Monday is BST.
        ("2026-03-27T16:30+00:00", "2026-03-30T10:30+01:00"),
        # Fall back on Sunday 25 October 2026: Friday is BST, Monday is GMT.
        ("2026-10-23T16:30+01:00", "2026-10-26T10:30+00:00"),
    ],
)
def test_office_hours_follow_local_wall_time_across_clock_changes(start: str, expected: str) -> None:
    assert add_office_time(EW, at(start), hours(2)) == at(expected)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2026-03-27T09:30+00:00", "2026-03-30T17:30+01:00"),
        ("2026-10-23T09:30+01:00", "2026-10-26T17:30+00:00"),
    ],
)
def test_a_business_day_stays_eight_hours_either_side_of_a_clock_change(start: str, end: str) -> None:
    assert office_time_between(EW, at(start), at(end)) == hours(16)


NIGHT_SHIFT = custom(working_days=EVERY_DAY, opening=time(0, 0), closing=time(4, 0))


def test_opening_hours_that_span_the_spring_change_lose_an_hour() -> None:
    sunday = at("2026-03-29T00:00+00:00")
    assert office_time_between(NIGHT_SHIFT, sunday, at("2026-03-30T00:00+01:00")) == hours(3)
    assert add_office_time(NIGHT_SHIFT, sunday, hours(3)) == at("2026-03-29T04:00+01:00")
    assert add_office_time(NIGHT_SHIFT, sunday, hours(3) + timedelta(minutes=1)) == at("2026-03-30T00:01+01:00")
    assert is_office_time(NIGHT_SHIFT, at("2026-03-29T03:30+01:00"))


def test_opening_hours_that_span_the_autumn_change_gain_an_hour() -> None:
    sunday = at("2026-10-25T00:00+01:00")
    assert office_time_between(NIGHT_SHIFT, sunday, at("2026-10-26T00:00+00:00")) == hours(5)
    assert add_office_time(NIGHT_SHIFT, sunday, hours(5)) == at("2026-10-25T04:00+00:00")
    assert is_office_time(NIGHT_SHIFT, at("2026-10-25T01:30+01:00"))
    assert is_office_time(NIGHT_SHIFT, at("2026-10-25T01:30+00:00"))


def test_opening_hours_inside_the_skipped_hour_vanish_that_day() -> None:
    # 01:30 and 02:30 on 29 March 2026 in London are the same instant: no office time that day.
    cal = custom(working_days=EVERY_DAY, opening=time(1, 30), closing=time(2, 30))
    assert office_time_between(cal, at("2026-03-29T00:00+00:00"), at("2026-03-30T00:00+01:00")) == timedelta(0)
    assert add_office_time(cal, at("2026-03-28T02:30+00:00"), hours(1)) == at("2026-03-30T02:30+01:00")


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        ("2026-03-29T00:50+00:00", "2026-03-29T01:10+00:00"),  # 00:50 GMT to 02:10 BST
        ("2026-10-25T01:50+01:00", "2026-10-25T01:10+00:00"),  # 01:50 BST to 01:10 GMT
    ],
)
def test_elapsed_spans_last_their_length_across_clock_changes(start: str, expected: str) -> None:
    assert add_span(EW, at(start), Span.elapsed(minutes=20)) == at(expected)


# --- add_span ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("span", "expected"),
    [
        (Span.elapsed(minutes=120), "2026-06-12T18:30+01:00"),
        (Span.office_hours(minutes=120), "2026-06-15T10:30+01:00"),
        (Span.business_days(1), "2026-06-15T16:30+01:00"),
    ],
)
def test_add_span_uses_the_spans_clock(span: Span, expected: str) -> None:
    assert add_span(EW, at("2026-06-12T16:30+01:00"), span) == at(expected)


# --- custom calendars --------------------------------------------------------------


def test_nine_to_five() -> None:
    cal = custom(opening=time(9), closing=time(17))
    assert cal.business_day == hours(8)
    assert add_office_time(cal, at("2026-06-12T16:00+01:00"), hours(2)) == at("2026-06-15T10:00+01:00")
    assert add_business_days(cal, at("2026-06-12T16:00+01:00"), 1) == at("2026-06-15T16:00+01:00")
    assert is_office_time(cal, at("2026-06-15T09:00+01:00"))
    assert not is_office_time(cal, at("2026-06-15T17:00+01:00"))


def test_short_days_make_short_business_days() -> None:
    cal = custom(opening=time(10), closing=time(14, 30))
    assert cal.business_day == timedelta(hours=4, minutes=30)
    assert add_business_days(cal, at("2026-06-15T10:00+01:00"), 2) == at("2026-06-16T14:30+01:00")


def test_extra_closure_dates() -> None:
    cal = custom(closures=frozenset({date(2026, 6, 15)}))
    assert not is_office_time(cal, at("2026-06-15T12:00+01:00"))
    assert add_office_time(cal, at("2026-06-12T16:30+01:00"), hours(2)) == at("2026-06-16T10:30+01:00")
    assert office_time_between(cal, at("2026-06-12T00:00+01:00"), at("2026-06-17T00:00+01:00")) == hours(16)


@pytest.mark.parametrize(
    ("working_days", "start", "expected"),
    [
        (frozenset({1, 2, 3, 4, 5}), "2026-06-12T16:30+01:00", "2026-06-13T10:30+01:00"),  # Tuesday to Saturday
        (frozenset({6, 0, 1, 2, 3}), "2026-06-11T16:30+01:00", "2026-06-14T10:30+01:00"),  # Sunday to Thursday
        (frozenset({2}), "2026-06-10T16:30+01:00", "2026-06-17T10:30+01:00"),  # Wednesdays only
        # Every day: Christmas Day is closed but Saturday 26 December 2026 is not a bank holiday
        # (the Boxing Day holiday moves to Monday 28th).
        (EVERY_DAY, "2026-12-24T17:00+00:00", "2026-12-26T10:00+00:00"),
    ],
)
def test_custom_working_days(working_days: frozenset[int], start: str, expected: str) -> None:
    cal = custom(working_days=working_days)
    assert add_office_time(cal, at(start), hours(1) if working_days == EVERY_DAY else hours(2)) == at(expected)


def test_other_time_zones() -> None:
    cal = custom(timezone="America/New_York")
    assert is_office_time(cal, at("2026-06-16T09:30-04:00"))
    assert not is_office_time(cal, at("2026-06-16T09:30+01:00"))
    assert add_office_time(cal, at("2026-06-12T16:30-04:00"), hours(2)) == at("2026-06-15T10:30-04:00")


# --- limits of the holiday data ----------------------------------------------------


def test_beyond_the_data_is_refused() -> None:
    with pytest.raises(BeyondKnownHolidays) as raised:
        is_office_time(SCOTLAND, at("2029-01-02T12:00+00:00"))
    assert str(raised.value) == (
        "bank holidays for scotland are only known from 2012-01-01 to 2028-12-31; 2029-01-02 is outside that"
    )
    assert (raised.value.division, raised.value.day) == (Division.SCOTLAND, date(2029, 1, 2))
    assert isinstance(raised.value, ValueError)


def test_deadline_running_past_the_data_is_refused() -> None:
    with pytest.raises(BeyondKnownHolidays, match="2029-01-01 is outside that"):
        add_office_time(EW, at("2028-12-29T17:00+00:00"), hours(2))
    with pytest.raises(BeyondKnownHolidays, match="2011-12-30 is outside that"):
        add_office_time(EW, at("2011-12-30T12:00+00:00"), hours(1))
    with pytest.raises(BeyondKnownHolidays):
        office_time_between(EW, at("2028-12-29T00:00+00:00"), at("2029-01-02T12:00+00:00"))


def test_the_data_is_consulted_only_when_the_answer_matters() -> None:
    # Weekends, closures and instants outside opening hours need no holiday data.
    assert not is_office_time(EW, at("2029-01-06T12:00+00:00"))
    assert not is_office_time(EW, at("2029-01-02T08:00+00:00"))
    assert not is_office_time(custom(closures=frozenset({date(2029, 1, 2)})), at("2029-01-02T12:00+00:00"))
    assert add_office_time(EW, at("2028-12-29T17:00+00:00"), timedelta(minutes=30)) == at("2028-12-29T17:30+00:00")
    assert office_time_between(EW, at("2028-12-29T00:00+00:00"), at("2029-01-01T09:00+00:00")) == hours(8)


def test_a_calendar_that_never_opens_gives_up() -> None:
    mondays = frozenset(date(2026, 1, 5) + timedelta(weeks=n) for n in range(60))
    cal = custom(working_days=frozenset({0}), closures=mondays)
    with pytest.raises(ValueError, match="not open on any of the 366 days before 2027-01-02"):
        add_office_time(cal, at("2026-01-01T12:00+00:00"), hours(1))


# --- office_time_between -----------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2026-06-16T10:00+01:00", "2026-06-16T12:00+01:00", hours(2)),
        ("2026-06-12T16:30+01:00", "2026-06-15T10:30+01:00", hours(2)),
        ("2026-06-12T18:00+01:00", "2026-06-15T09:00+01:00", timedelta(0)),
        ("2026-06-15T00:00+01:00", "2026-06-22T00:00+01:00", hours(40)),
        ("2026-12-24T16:30+00:00", "2026-12-29T10:30+00:00", hours(2)),
        ("2026-06-16T08:00+00:00", "2026-06-16T12:00+01:00", hours(2.5)),  # 08:00 UTC is 09:00 BST
        ("2026-06-16T12:00+01:00", "2026-06-16T12:00+01:00", timedelta(0)),
        ("2026-06-16T12:00+01:00", "2026-06-16T10:00+01:00", timedelta(0)),
        ("2026-06-16T17:29:30+01:00", "2026-06-17T09:30:30+01:00", timedelta(seconds=60)),
    ],
)
def test_office_time_between(start: str, end: str, expected: timedelta) -> None:
    assert office_time_between(EW, at(start), at(end)) == expected


# --- bad input ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda naive: is_office_time(EW, naive),
        lambda naive: add_office_time(EW, naive, hours(1)),
        lambda naive: add_business_days(EW, naive, 1),
        lambda naive: office_time_between(EW, naive, at("2026-06-16T12:00+01:00")),
        lambda naive: office_time_between(EW, at("2026-06-16T12:00+01:00"), naive),
        lambda naive: add_span(EW, naive, Span.elapsed(minutes=20)),
    ],
)
def test_naive_datetimes_are_rejected(call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=r"must include a time zone offset, got 2026-06-16T12:00:00$"):
        call(datetime(2026, 6, 16, 12))


def test_negative_amounts_are_rejected() -> None:
    with pytest.raises(ValueError, match="negative amount of office time"):
        add_office_time(EW, at("2026-06-16T12:00+01:00"), -hours(1))
    with pytest.raises(ValueError, match="negative number of business days"):
        add_business_days(EW, at("2026-06-16T12:00+01:00"), -1)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"opening": time(17, 30), "closing": time(9, 30)}, r"opening \(17:30\) must be before closing \(09:30\)"),
        ({"opening": time(9), "closing": time(9)}, "must be before closing"),
        ({"working_days": frozenset()}, "at least one working day"),
        ({"working_days": frozenset({5, 7})}, r"numbered 0 \(Monday\) to 6 \(Sunday\), not \[5, 7\]"),
        ({"timezone": "Mars/Olympus_Mons"}, "unknown time zone 'Mars/Olympus_Mons'"),
        ({"timezone": "../etc/passwd"}, "unknown time zone"),
        ({"opening": time(9, tzinfo=UTC)}, "give no offset"),
        ({"division": "wales"}, "unknown division 'wales'"),
    ],
)
def test_calendar_validation(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        custom(**changes)


def test_calendar_defaults() -> None:
    cal = OfficeCalendar(holidays=EW.holidays)
    assert (cal.division, cal.timezone, cal.opening, cal.closing) == (
        Division.ENGLAND_AND_WALES,
        "Europe/London",
        time(9, 30),
        time(17, 30),
    )
    assert cal.working_days == frozenset({0, 1, 2, 3, 4})
    assert cal.closures == frozenset()
    assert cal.business_day == hours(8)
    assert custom(division="scotland").division is Division.SCOTLAND


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("england-and-wales", Division.ENGLAND_AND_WALES),
        ("Scotland", Division.SCOTLAND),
        (" northern-ireland ", Division.NORTHERN_IRELAND),
    ],
)
def test_parse_division(text: str, expected: Division) -> None:
    assert Division.parse(text) is expected


def test_parse_unknown_division() -> None:
    with pytest.raises(ValueError) as raised:
        Division.parse("wales")
    assert str(raised.value) == "unknown division 'wales': use england-and-wales, scotland or northern-ireland"


def test_bank_holidays_validation() -> None:
    with pytest.raises(ValueError, match="cannot be known from 2027-01-01 to 2026-12-31"):
        BankHolidays(frozenset(), date(2027, 1, 1), date(2026, 12, 31))
    with pytest.raises(ValueError, match="bank holiday 2029-01-01 is outside the known range"):
        BankHolidays(frozenset({date(2029, 1, 1)}), date(2026, 1, 1), date(2028, 12, 31))

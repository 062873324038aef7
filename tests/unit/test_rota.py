"""Rota rules: wall-clock handoffs across clock changes, layers, office-hours limits, overrides."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from watchkeeper.catalogue.holidays import bank_holidays
from watchkeeper.domain.office_time import Division, OfficeCalendar
from watchkeeper.domain.rota import (
    Override,
    Restriction,
    Rotation,
    Turn,
    coverage_pct,
    on_call_at,
    resolve_wall,
    schedule_shifts,
)

LONDON = ZoneInfo("Europe/London")
CALENDAR = OfficeCalendar(holidays=bank_holidays(Division.ENGLAND_AND_WALES))


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)  # type: ignore[misc]


def weekly(members: tuple[str, ...] = ("alice", "bob"), start: datetime | None = None, **extra: object) -> Rotation:
    return Rotation("Primary", members, Turn.WEEKLY, 1, start or local(2026, 10, 19, 9), **extra)  # type: ignore[arg-type]


def test_a_monday_0900_handoff_is_0900_in_bst_and_in_gmt() -> None:
    rotation = weekly()
    before, after = rotation.handoff(0), rotation.handoff(1)  # 19 October is BST, 26 October GMT
    assert before == datetime(2026, 10, 19, 8, tzinfo=UTC)
    assert after == datetime(2026, 10, 26, 9, tzinfo=UTC)
    assert after.astimezone(LONDON).hour == 9 and after - before == timedelta(days=7, hours=1)
    spring = rotation.handoff(23)  # 29 March 2027, the day after clocks go forward
    assert spring.astimezone(LONDON).replace(tzinfo=None) == datetime(2027, 3, 29, 9)


def test_a_handoff_the_spring_change_skips_happens_at_the_change() -> None:
    # 01:30 on 29 March 2026 does not exist in London: clocks go from 01:00 GMT to 02:00 BST.
    assert resolve_wall(datetime(2026, 3, 29, 1, 30), LONDON) == datetime(2026, 3, 29, 1, tzinfo=UTC)
    daily = Rotation("Nights", ("a", "b"), Turn.DAILY, 1, local(2026, 3, 27, 1, 30))
    assert daily.handoff(2) == datetime(2026, 3, 29, 1, tzinfo=UTC)
    assert daily.handoff(3) == datetime(2026, 3, 30, 0, 30, tzinfo=UTC)


def test_an_ambiguous_autumn_handoff_happens_at_its_first_occurrence() -> None:
    # 01:30 on 25 October 2026 happens twice in London; the first is 01:30 BST, 00:30 UTC.
    assert resolve_wall(datetime(2026, 10, 25, 1, 30), LONDON) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_who_is_on_call_follows_the_turns_and_says_from_and_until() -> None:
    shift = on_call_at([weekly()], [], local(2026, 10, 27, 3))
    assert shift.user == "bob" and shift.source == "layer Primary"
    assert shift.start == local(2026, 10, 26, 9) and shift.end == local(2026, 11, 2, 9)
    assert on_call_at([weekly()], [], local(2026, 10, 1)).user is None, "nobody before the rota starts"


def test_a_stretch_far_longer_than_any_turn_is_reported_whole() -> None:
    """The lookup starts with a window of one short turn and widens it: a long stretch must not come back cut."""
    hourly = Rotation("Hourly", ("alice", "bob"), Turn.HOURLY, 1, local(2026, 10, 19, 9))
    sabbatical = Override(local(2026, 11, 1), local(2027, 1, 15), "carol", "covering the winter")
    shift = on_call_at([hourly], [sabbatical], local(2026, 12, 10, 3, 17))
    assert (shift.user, shift.start, shift.end) == ("carol", local(2026, 11, 1), local(2027, 1, 15))
    gap = on_call_at([weekly(start=local(2027, 6, 7, 9))], [], local(2027, 1, 1))
    assert gap.user is None and gap.end == local(2027, 6, 7, 9), "a gap runs until the rota starts"
    assert on_call_at([hourly], [sabbatical], local(2027, 1, 15, 0, 30)).end == local(2027, 1, 15, 1)


def test_a_higher_layer_wins_where_it_has_someone_and_overrides_win_over_every_layer() -> None:
    base = weekly(("alice",))
    evenings = Rotation(
        "Evenings",
        ("carol",),
        Turn.DAILY,
        1,
        local(2026, 10, 19, 18),
        restrict_to=Restriction.OUT_OF_HOURS,
        calendar=CALENDAR,
    )
    cover = Override(local(2026, 10, 21, 12), local(2026, 10, 21, 14), "dave", "dentist")
    assert on_call_at([base, evenings], [cover], local(2026, 10, 20, 11)).user == "alice"
    assert on_call_at([base, evenings], [cover], local(2026, 10, 20, 20)).user == "carol"
    assert on_call_at([base, evenings], [cover], local(2026, 10, 21, 13)).source == "override"


def test_in_hours_and_out_of_hours_layers_cover_everything_and_bank_holidays_are_out_of_hours() -> None:
    days = Rotation(
        "Office",
        ("ivy",),
        Turn.WEEKLY,
        1,
        local(2026, 12, 21, 9, 30),
        restrict_to=Restriction.OFFICE_HOURS,
        calendar=CALENDAR,
    )
    nights = Rotation(
        "Out of hours",
        ("olly",),
        Turn.WEEKLY,
        1,
        local(2026, 12, 21, 9, 30),
        restrict_to=Restriction.OUT_OF_HOURS,
        calendar=CALENDAR,
    )
    since, until = local(2026, 12, 21, 9, 30), local(2026, 12, 28, 9, 30)
    shifts = schedule_shifts([days, nights], [], since, until)
    assert coverage_pct(shifts) == 100.0
    assert on_call_at([days, nights], [], local(2026, 12, 24, 11)).user == "ivy"
    assert on_call_at([days, nights], [], local(2026, 12, 25, 11)).user == "olly", "Christmas Day is out of hours"
    assert on_call_at([days, nights], [], local(2026, 12, 28, 11)).user == "olly", "the Boxing Day substitute too"


def test_gaps_are_shifts_with_nobody_and_lower_coverage() -> None:
    days = Rotation(
        "Office", ("ivy",), Turn.WEEKLY, 1, local(2026, 11, 2, 9, 30), restrict_to="office_hours", calendar=CALENDAR
    )  # type: ignore[arg-type]
    shifts = schedule_shifts([days], [], local(2026, 11, 2), local(2026, 11, 3))
    assert [(s.user, s.start.astimezone(LONDON).time()) for s in shifts] == [
        (None, time(0)),
        ("ivy", time(9, 30)),
        (None, time(17, 30)),
    ]
    assert coverage_pct(shifts) == pytest.approx(100 * 8 / 24, abs=0.01)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"members": ()}, "at least one member"),
        ({"turn_length": 0}, "turn_length"),
        ({"timezone": "Mars/Olympus"}, "unknown time zone"),
        ({"restrict_to": "office_hours"}, "office calendar"),
    ],
)
def test_bad_rotations_are_refused(fields: dict[str, object], message: str) -> None:
    base: dict[str, object] = {
        "name": "x",
        "members": ("a",),
        "turn": "daily",
        "turn_length": 1,
        "start": local(2026, 1, 5, 9),
    }
    with pytest.raises(ValueError, match=message):
        Rotation(**{**base, **fields})  # type: ignore[arg-type]


def test_an_override_must_end_after_it_starts() -> None:
    with pytest.raises(ValueError, match="end after"):
        Override(local(2026, 1, 5, 9), local(2026, 1, 5, 9), "a")


def test_dates_are_what_the_tests_assume() -> None:
    assert date(2026, 12, 28) in bank_holidays(Division.ENGLAND_AND_WALES).dates

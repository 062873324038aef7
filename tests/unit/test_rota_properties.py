"""10,000 random rotations over 2026-2030: no unintended gap or overlap, every handoff at its wall-clock time.

The handoff check is a reference that shares nothing with the implementation but the rule: at each boundary
the local wall clock reads the expected time and no earlier instant within three hours read it (first
occurrence), or, if that time does not exist that day, the boundary is the first instant past it.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from random import Random
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from watchkeeper.catalogue.holidays import bank_holidays
from watchkeeper.domain.office_time import Division, OfficeCalendar
from watchkeeper.domain.rota import Override, Restriction, Rotation, Turn, schedule_shifts

# Hypothesis's own cost per example is far above a rotation's, so each example checks a batch: 500 x 20 = 10,000.
BATCH = 20
settings.register_profile(
    "rotations",
    max_examples=10_000 // BATCH,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
)
ROTATIONS = settings.get_profile("rotations")
ZONES = ["Europe/London", "Europe/Dublin", "America/New_York", "Australia/Sydney", "UTC"]
# Every London clock change of 2026 and 2027, so each one is inside many windows.
CHANGES = [date(2026, 3, 29), date(2026, 10, 25), date(2027, 3, 28), date(2027, 10, 31)]
CALENDAR = OfficeCalendar(holidays=bank_holidays(Division.ENGLAND_AND_WALES))
SECOND = timedelta(seconds=1)


def wall(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None)


def rotation_from(rng: Random) -> tuple[Rotation, datetime, datetime]:
    zone_name = rng.choice(ZONES)
    turn = rng.choice(list(Turn))
    length = rng.randint(1, {Turn.HOURLY: 12, Turn.DAILY: 4, Turn.WEEKLY: 2}[turn])
    members = tuple(f"m{n}" for n in range(rng.randint(1, 5)))
    # Any minute of the day, so handoffs land in the skipped and repeated hours on change days.
    start_wall = datetime(2026, 1, 1) + timedelta(minutes=rng.randint(0, 60 * 24 * 1795))
    rotation = Rotation("L", members, turn, length, start_wall.replace(tzinfo=ZoneInfo(zone_name)), zone_name)
    # Half the windows start just before one of the clock changes, the rest anywhere in 2026-2030.
    around = rng.choice(CHANGES) if rng.random() < 0.5 else date(2026, 1, 1) + timedelta(days=rng.randint(0, 1814))
    since = datetime.combine(around, datetime.min.time(), UTC) - timedelta(hours=rng.randint(0, 72))
    span = min(rotation.nominal * rng.randint(1, 4), timedelta(days=15)) + timedelta(hours=rng.randint(0, 30))
    return rotation, since, since + span


@st.composite
def rotations(draw: st.DrawFn) -> tuple[Rotation, datetime, datetime]:
    return rotation_from(draw(st.randoms(use_true_random=False)))


def expected_wall(rotation: Rotation, index: int) -> datetime:
    return rotation.wall_start + rotation.nominal * index


def at_its_wall_clock_time(boundary: datetime, expected: datetime, zone: ZoneInfo) -> bool:
    if wall(boundary, zone) == expected:
        return all(wall(boundary - timedelta(minutes=m), zone) != expected for m in (30, 60, 120, 180))
    # Skipped by a spring change: just before the boundary the clock read earlier, at it later.
    return wall(boundary - SECOND, zone) < expected < wall(boundary, zone)


@ROTATIONS
@given(rotations())
def test_turns_cover_the_window_once_and_hand_off_at_local_wall_clock_time(
    case: tuple[Rotation, datetime, datetime],
) -> None:
    rotation, since, until = case
    zone = ZoneInfo(rotation.timezone)
    turns = rotation.turns(since, until)
    first = max(since, rotation.handoff(0))
    if first >= until:
        assert turns == []
        return
    assert turns[0].start == first and turns[-1].end == until
    for earlier, later in itertools.pairwise(turns):
        assert earlier.end == later.start, "no gap and no overlap between turns"
        assert earlier.start < earlier.end
    for turn in turns:
        index = rotation.turn_index(turn.start)
        assert index is not None and turn.user == rotation.member(index)
        if turn.start != since:
            assert at_its_wall_clock_time(turn.start, expected_wall(rotation, index), zone)


@settings(max_examples=300, deadline=None, database=None)
@given(rotations(), st.lists(st.tuples(st.integers(0, 24 * 14), st.integers(1, 48)), max_size=3), st.booleans())
def test_a_schedule_covers_every_instant_once_with_the_right_winner(
    case: tuple[Rotation, datetime, datetime], overrides: list[tuple[int, int]], restricted: bool
) -> None:
    rotation, since, until = case
    since, until = max(since, datetime(2026, 1, 2, tzinfo=UTC)), min(until, datetime(2028, 12, 20, tzinfo=UTC))
    if until <= since:
        return
    upper = Rotation(
        "Top",
        ("top",),
        Turn.DAILY,
        1,
        rotation.start,
        rotation.timezone,
        restrict_to=Restriction.OFFICE_HOURS if restricted else Restriction.OUT_OF_HOURS,
        calendar=CALENDAR,
    )
    cover = [Override(since + timedelta(hours=h), since + timedelta(hours=h + n), f"o{h}") for h, n in overrides]
    shifts = schedule_shifts([rotation, upper], cover, since, until)
    assert shifts[0].start == since and shifts[-1].end == until
    for earlier, later in itertools.pairwise(shifts):
        assert earlier.end == later.start and (earlier.user, earlier.source) != (later.user, later.source)
    for shift in shifts:
        middle = shift.start + (shift.end - shift.start) / 2
        expected = next((o.user for o in reversed(cover) if o.start <= middle < o.end), None)
        if expected is None:
            top = [t for t in upper.shifts(since, until) if t.start <= middle < t.end]
            base = [t for t in rotation.turns(since, until) if t.start <= middle < t.end]
            expected = top[0].user if top else (base[0].user if base else None)
        assert shift.user == expected

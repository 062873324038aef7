"""Who is on call: rotations handing over at a local wall-clock time, layers, office-hours limits and overrides.

A rotation hands over at the wall-clock time of its start, in the schedule's time zone, on every turn: a
09:00 Monday handoff is 09:00 in GMT and in BST. A handoff time the spring change skips happens at the first
valid instant after it (the change itself); an ambiguous one on the autumn day at its first occurrence.
Layers are listed lowest first: a higher layer wins wherever it has someone; overrides win over every layer.
Pure: time and calendars are arguments.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from watchkeeper.domain.office_time import OfficeCalendar, office_intervals, require_aware


class Turn(StrEnum):
    HOURLY = "hourly"
    DAILY = "daily"
    WEEKLY = "weekly"


class Restriction(StrEnum):
    OFFICE_HOURS = "office_hours"
    OUT_OF_HOURS = "out_of_hours"


STEP = {Turn.HOURLY: timedelta(hours=1), Turn.DAILY: timedelta(days=1), Turn.WEEKLY: timedelta(weeks=1)}
OVERRIDE = "override"
# How far on_call_at looks for the ends of a long stretch of cover or of a gap.
MAX_REACH = timedelta(days=400)


def zone(key: str) -> ZoneInfo:
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {key!r}: use an IANA name such as 'Europe/London'") from None


def resolve_wall(naive: datetime, tz: ZoneInfo) -> datetime:
    """The UTC instant a local wall-clock time names: a skipped time moves to the change; an ambiguous one is first."""
    first = naive.replace(tzinfo=tz, fold=0)
    utc = first.astimezone(UTC)
    if utc.astimezone(tz).replace(tzinfo=None) == naive:
        return utc
    # Inside a spring-forward gap: fold=1 reads it with the later offset (an earlier instant), fold=0 with the
    # earlier one. The change lies between; find the first instant whose wall clock is at or past ``naive``.
    low = int(naive.replace(tzinfo=tz, fold=1).astimezone(UTC).timestamp())
    high = int(utc.timestamp())
    while low < high:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, tz).replace(tzinfo=None) >= naive:
            high = middle
        else:
            low = middle + 1
    return datetime.fromtimestamp(high, UTC)


@dataclass(frozen=True)
class Shift:
    start: datetime
    end: datetime
    user: str | None
    source: str  # "layer NAME", "override", or "" for a gap


@dataclass(frozen=True)
class Override:
    start: datetime
    end: datetime
    user: str
    reason: str = ""

    def __post_init__(self) -> None:
        require_aware(self.start, "start")
        require_aware(self.end, "end")
        if self.end <= self.start:
            raise ValueError("an override must end after it starts")


@dataclass(frozen=True)
class Rotation:
    name: str
    members: tuple[str, ...]
    turn: Turn
    turn_length: int
    start: datetime
    timezone: str = "Europe/London"
    restrict_to: Restriction | None = None
    calendar: OfficeCalendar | None = None

    def __post_init__(self) -> None:
        if not self.members:
            raise ValueError("a rotation needs at least one member")
        if self.turn_length < 1:
            raise ValueError("turn_length must be at least 1")
        object.__setattr__(self, "turn", Turn(self.turn))
        if self.restrict_to is not None:
            object.__setattr__(self, "restrict_to", Restriction(self.restrict_to))
            if self.calendar is None:
                raise ValueError("a rotation limited to office hours or out of hours needs an office calendar")
        require_aware(self.start, "start")
        # Worked out once: every handoff needs them.
        tz = zone(self.timezone)
        object.__setattr__(self, "_zone", tz)
        object.__setattr__(self, "wall_start", self.start.astimezone(tz).replace(tzinfo=None))
        object.__setattr__(self, "nominal", STEP[self.turn] * self.turn_length)

    _zone: ZoneInfo = field(init=False, repr=False, compare=False)
    wall_start: datetime = field(init=False, repr=False, compare=False)
    nominal: timedelta = field(init=False, repr=False, compare=False)

    @property
    def source(self) -> str:
        return f"layer {self.name}"

    def handoff(self, index: int) -> datetime:
        """The instant of handoff ``index`` (0 is the start), at the start's wall-clock time."""
        return resolve_wall(self.wall_start + self.nominal * index, self._zone)

    def turn_index(self, instant: datetime) -> int | None:
        """Which turn covers ``instant``; None before the rotation starts."""
        instant = require_aware(instant, "instant").astimezone(UTC)
        first = self.handoff(0)
        if instant < first:
            return None
        index = int((instant - first) / self.nominal)
        # A clock change moves a handoff by at most an hour or two: step to the right turn.
        while index > 0 and self.handoff(index) > instant:
            index -= 1
        while self.handoff(index + 1) <= instant:
            index += 1
        return index

    def member(self, index: int) -> str:
        return self.members[index % len(self.members)]

    def turns(self, since: datetime, until: datetime) -> list[Shift]:
        """The rotation's turns overlapping ``[since, until)``, clipped to it, ignoring any restriction."""
        since, until = since.astimezone(UTC), until.astimezone(UTC)
        index = self.turn_index(since)
        if index is None:
            if until <= self.handoff(0):
                return []
            index = 0
        found = []
        begin = self.handoff(index)
        while begin < until:
            end = self.handoff(index + 1)
            if end > begin and end > since:  # a turn the spring change squeezed to nothing is skipped
                found.append(Shift(max(begin, since), min(end, until), self.member(index), self.source))
            index += 1
            begin = end
        return found

    def shifts(self, since: datetime, until: datetime) -> list[Shift]:
        """Turns over ``[since, until)`` with the restriction applied: only stretches where someone is on call."""
        turns = self.turns(since, until)
        if self.restrict_to is None or not turns:
            return turns
        assert self.calendar is not None
        windows = office_intervals(self.calendar, since, until)
        if self.restrict_to is Restriction.OUT_OF_HOURS:
            windows = _complement(windows, since.astimezone(UTC), until.astimezone(UTC))
        return [
            Shift(max(turn.start, begin), min(turn.end, end), turn.user, turn.source)
            for turn in turns
            for begin, end in windows
            if max(turn.start, begin) < min(turn.end, end)
        ]


def _complement(
    windows: list[tuple[datetime, datetime]], since: datetime, until: datetime
) -> list[tuple[datetime, datetime]]:
    found = []
    cursor = since
    for begin, end in windows:
        if begin > cursor:
            found.append((cursor, begin))
        cursor = max(cursor, end)
    if cursor < until:
        found.append((cursor, until))
    return found


def schedule_shifts(
    layers: Sequence[Rotation], overrides: Sequence[Override], since: datetime, until: datetime
) -> list[Shift]:
    """Every instant of ``[since, until)`` covered once: overrides, then the highest layer with someone, else a gap."""
    since = require_aware(since, "since").astimezone(UTC)
    until = require_aware(until, "until").astimezone(UTC)
    if until <= since:
        return []
    per_layer = [layer.shifts(since, until) for layer in layers]
    chosen = [
        Shift(max(o.start, since), min(o.end, until), o.user, OVERRIDE)
        for o in overrides
        if o.start < until and o.end > since
    ]
    every = [shift for shifts in per_layer for shift in shifts] + chosen
    cuts = sorted({since, until, *(s.start for s in every), *(s.end for s in every)})
    cursors = [0] * len(per_layer)
    result: list[Shift] = []
    for begin, end in pairwise(cuts):
        winner = _override_at(chosen, begin, end) or _layer_at(per_layer, cursors, begin, end)
        user, source = (winner.user, winner.source) if winner else (None, "")
        if result and result[-1].user == user and result[-1].source == source:
            result[-1] = Shift(result[-1].start, end, user, source)
        else:
            result.append(Shift(begin, end, user, source))
    return result


def _override_at(overrides: list[Shift], begin: datetime, end: datetime) -> Shift | None:
    """The latest override covering the stretch: a later override is a correction of an earlier one."""
    for shift in reversed(overrides):
        if shift.start <= begin and shift.end >= end:
            return shift
    return None


def _layer_at(per_layer: list[list[Shift]], cursors: list[int], begin: datetime, end: datetime) -> Shift | None:
    """The highest layer with someone over the stretch; cursors only move forward as the stretches do."""
    winner = None
    for number, shifts in enumerate(per_layer):
        while cursors[number] < len(shifts) and shifts[cursors[number]].end <= begin:
            cursors[number] += 1
        if cursors[number] < len(shifts) and shifts[cursors[number]].start <= begin:
            winner = shifts[cursors[number]]
    return winner


def on_call_at(layers: Sequence[Rotation], overrides: Sequence[Override], instant: datetime) -> Shift:
    """Who is on call at ``instant``, with the whole stretch of that cover (or gap) around it.

    The work grows with the stretch of time looked at, so it looks the shortest turn (at most a day) either side
    first, which is enough wherever layers or office hours hand over often; then the longest turn and a day; a
    stretch that still reaches the edge of what was looked at (a long gap, a long override) is looked at again
    more widely, up to about a year. A stretch that ends inside the window ends there whatever lies beyond it.
    """
    instant = require_aware(instant, "instant").astimezone(UTC)
    turns = [layer.nominal for layer in layers] or [timedelta(days=1)]
    reach, wider = min(*turns, timedelta(days=1)), max(turns) + timedelta(days=1)
    while True:
        found = [s for s in schedule_shifts(layers, overrides, instant - reach, instant + reach) if s.end > instant]
        shift = found[0]
        inside = shift.start > instant - reach and shift.end < instant + reach
        if inside or reach >= MAX_REACH:
            return shift
        reach = wider if reach < wider else min(reach * 4, MAX_REACH)


def coverage_pct(shifts: Sequence[Shift]) -> float:
    total = sum(((s.end - s.start) for s in shifts), timedelta(0))
    covered = sum(((s.end - s.start) for s in shifts if s.user is not None), timedelta(0))
    return 100.0 if not total else round(100 * covered / total, 2)

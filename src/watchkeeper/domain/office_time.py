"""Office time: when a service's office is open, and adding or measuring time on that clock.

Office time is the set of instants inside opening hours (local wall time) on working days
that are neither bank holidays nor the service's own closure dates. Bank holidays are
handed in as data; this module does no I/O and never reads the clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from watchkeeper.domain.priority import Span, SpanKind

# A year and a day without a single open hour means the calendar can never open (for
# instance every working day is a closure): stop rather than search for ever.
_MAX_CLOSED_DAYS = 366


class Division(StrEnum):
    """The parts of the UK that GOV.UK publishes separate bank holidays for."""

    ENGLAND_AND_WALES = "england-and-wales"
    SCOTLAND = "scotland"
    NORTHERN_IRELAND = "northern-ireland"

    @classmethod
    def parse(cls, text: str) -> Division:
        try:
            return cls(text.strip().lower())
        except ValueError:
            raise ValueError(
                f"unknown division {text!r}: use england-and-wales, scotland or northern-ireland"
            ) from None


@dataclass(frozen=True)
class BankHolidays:
    """The bank holidays of one division, and the range of dates the list is known to cover.

    Outside ``first_known``..``last_known`` an absent date proves nothing, so questions about
    such dates are refused rather than answered wrongly.
    """

    dates: frozenset[date]
    first_known: date
    last_known: date

    def __post_init__(self) -> None:
        if self.first_known > self.last_known:
            raise ValueError(f"bank holidays cannot be known from {self.first_known} to {self.last_known}")
        outside = sorted(day for day in self.dates if not self.first_known <= day <= self.last_known)
        if outside:
            raise ValueError(
                f"bank holiday {outside[0]} is outside the known range {self.first_known} to {self.last_known}"
            )


class BeyondKnownHolidays(ValueError):
    """A computation needed to know whether a date is a bank holiday, and the data does not say."""

    def __init__(self, division: Division, day: date, holidays: BankHolidays) -> None:
        self.division = division
        self.day = day
        self.first_known = holidays.first_known
        self.last_known = holidays.last_known
        super().__init__(
            f"bank holidays for {division} are only known from {holidays.first_known} "
            f"to {holidays.last_known}; {day} is outside that"
        )


def _zone(key: str) -> ZoneInfo:
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {key!r}: use an IANA name such as 'Europe/London'") from None


@dataclass(frozen=True)
class OfficeCalendar:
    """When one service's office is open.

    ``working_days`` uses ``date.weekday()`` numbering (Monday is 0). ``opening`` and
    ``closing`` are wall-clock times in ``timezone`` on every working day, so they follow
    BST/GMT. ``division`` names where ``holidays`` come from (it is used in messages).
    """

    holidays: BankHolidays
    division: Division = Division.ENGLAND_AND_WALES
    timezone: str = "Europe/London"
    working_days: frozenset[int] = frozenset(range(5))
    opening: time = time(9, 30)
    closing: time = time(17, 30)
    closures: frozenset[date] = frozenset()
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "division", Division.parse(self.division))
        _zone(self.timezone)
        if not self.working_days:
            raise ValueError("an office calendar needs at least one working day")
        if not self.working_days <= frozenset(range(7)):
            raise ValueError(f"working days are numbered 0 (Monday) to 6 (Sunday), not {sorted(self.working_days)}")
        if self.opening.tzinfo is not None or self.closing.tzinfo is not None:
            raise ValueError("opening and closing are wall-clock times in the calendar's time zone: give no offset")
        if self.opening >= self.closing:
            raise ValueError(
                f"opening ({self.opening.isoformat('minutes')}) must be before "
                f"closing ({self.closing.isoformat('minutes')})"
            )
        # A calendar keys the day-window cache, which a summary asks tens of thousands of times: hash it once.
        fields = (self.holidays, self.division, self.timezone, self.working_days, self.opening, self.closing)
        object.__setattr__(self, "_hash", hash((*fields, self.closures)))

    def __hash__(self) -> int:
        return self._hash

    @property
    def zone(self) -> ZoneInfo:
        return _zone(self.timezone)

    @property
    def business_day(self) -> timedelta:
        """One working day's worth of office time, as the GDS "business day" means it."""
        return datetime.combine(date.min, self.closing) - datetime.combine(date.min, self.opening)


def require_aware(value: datetime, name: str) -> datetime:
    """Refuse naive datetimes: without an offset "09:30" could be either side of a clock change."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must include a time zone offset, got {value.isoformat()}")
    return value


# Summaries over thousands of incidents ask about the same few hundred days again and again; the answer for a
# calendar and a day never changes, so it is remembered.
@lru_cache(maxsize=65536)
def _hours_on(cal: OfficeCalendar, day: date) -> tuple[datetime, datetime] | None:
    """The UTC instants the office would open and close on ``day``, ignoring bank holidays.

    Bank holidays are left to :func:`_is_bank_holiday` so callers ask about them only when the
    answer matters, and the limits of the holiday data bite only then.
    """
    if day.weekday() not in cal.working_days or day in cal.closures:
        return None
    zone = cal.zone
    opens = datetime.combine(day, cal.opening, zone).astimezone(UTC)
    closes = datetime.combine(day, cal.closing, zone).astimezone(UTC)
    # A wall time skipped by the spring change is read with the offset in force before it
    # (PEP 495, fold=0): 01:30 to 02:30 on that day in London is 02:30 BST to 02:30 BST, so
    # hours inside the skipped hour leave no office time that day rather than a negative amount.
    return (opens, closes) if opens < closes else None


def _is_bank_holiday(cal: OfficeCalendar, day: date) -> bool:
    holidays = cal.holidays
    if not holidays.first_known <= day <= holidays.last_known:
        raise BeyondKnownHolidays(cal.division, day, holidays)
    return day in holidays.dates


def _local_date(cal: OfficeCalendar, instant: datetime) -> date:
    return instant.astimezone(cal.zone).date()


def is_office_time(cal: OfficeCalendar, instant: datetime) -> bool:
    """Whether the office is open at ``instant``: opening is inside office time, closing is not."""
    instant = require_aware(instant, "instant").astimezone(UTC)
    day = _local_date(cal, instant)
    hours = _hours_on(cal, day)
    return hours is not None and hours[0] <= instant < hours[1] and not _is_bank_holiday(cal, day)


def add_office_time(cal: OfficeCalendar, start: datetime, amount: timedelta) -> datetime:
    """The earliest instant by which ``amount`` of office time has passed since ``start``.

    The answer may be exactly closing time: 2 office hours from 15:30 is 17:30 that day,
    not 09:30 the next morning. Walks a day at a time, taking each day's open hours whole.
    """
    start = require_aware(start, "start").astimezone(UTC)
    if amount < timedelta(0):
        raise ValueError(f"cannot add a negative amount of office time ({amount})")
    if not amount:
        return start
    remaining = amount
    day = _local_date(cal, start)
    closed_days = 0
    while closed_days < _MAX_CLOSED_DAYS:
        hours = _hours_on(cal, day)
        if hours is not None and hours[1] > start and not _is_bank_holiday(cal, day):
            closed_days = 0
            begin = max(hours[0], start)
            available = hours[1] - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        else:
            closed_days += 1
        day += timedelta(days=1)
    raise ValueError(
        f"the office is not open on any of the {_MAX_CLOSED_DAYS} days before {day}: "
        "check its working days and closures"
    )


def add_business_days(cal: OfficeCalendar, start: datetime, days: int) -> datetime:
    """``days`` business days after ``start``, counted in office time so a part day carries over."""
    if days < 0:
        raise ValueError(f"cannot add a negative number of business days ({days})")
    return add_office_time(cal, start, days * cal.business_day)


def office_time_between(cal: OfficeCalendar, start: datetime, end: datetime) -> timedelta:
    """How much office time lies in ``[start, end)``; nothing if ``end`` is not after ``start``."""
    start = require_aware(start, "start").astimezone(UTC)
    end = require_aware(end, "end").astimezone(UTC)
    total = timedelta(0)
    if end <= start:
        return total
    day = _local_date(cal, start)
    last_day = _local_date(cal, end)
    while day <= last_day:
        hours = _hours_on(cal, day)
        if hours is not None:
            overlap = min(hours[1], end) - max(hours[0], start)
            if overlap > timedelta(0) and not _is_bank_holiday(cal, day):
                total += overlap
        day += timedelta(days=1)
    return total


def add_span(cal: OfficeCalendar, start: datetime, span: Span) -> datetime:
    """``start`` plus ``span`` on the span's own clock, in UTC.

    Elapsed spans are added in UTC so a 20-minute clock lasts 20 minutes even across a
    clock change.
    """
    start = require_aware(start, "start").astimezone(UTC)
    if span.kind is SpanKind.ELAPSED:
        return start + timedelta(minutes=span.amount)
    if span.kind is SpanKind.OFFICE_HOURS:
        return add_office_time(cal, start, timedelta(minutes=span.amount))
    return add_business_days(cal, start, span.amount)


def office_intervals(cal: OfficeCalendar, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """The stretches of office time inside ``[start, end)``, in order, as UTC instants."""
    start = require_aware(start, "start").astimezone(UTC)
    end = require_aware(end, "end").astimezone(UTC)
    found: list[tuple[datetime, datetime]] = []
    if end <= start:
        return found
    day = _local_date(cal, start)
    last_day = _local_date(cal, end)
    while day <= last_day:
        hours = _hours_on(cal, day)
        if hours is not None:
            begin, finish = max(hours[0], start), min(hours[1], end)
            if begin < finish and not _is_bank_holiday(cal, day):
                found.append((begin, finish))
        day += timedelta(days=1)
    return found

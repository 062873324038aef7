"""When a page reached someone, as on-call load counts it: out of office hours, at night, on a bank holiday."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time

from watchkeeper.domain.office_time import (
    BankHolidays,
    BeyondKnownHolidays,
    OfficeCalendar,
    is_office_time,
    require_aware,
)

# "Pages between 23:00 and 07:00" in the calendar's own wall-clock time, so the night follows BST and GMT.
NIGHT_STARTS = time(23, 0)
NIGHT_ENDS = time(7, 0)


@dataclass(frozen=True)
class PageHours:
    out_of_hours: bool
    night: bool
    bank_holiday: bool


def page_hours(cal: OfficeCalendar, instant: datetime) -> PageHours:
    """Classify one instant a person was paged at, on the service's office calendar."""
    local = require_aware(instant, "instant").astimezone(cal.zone)
    night = local.time() >= NIGHT_STARTS or local.time() < NIGHT_ENDS
    day = local.date()
    try:
        return PageHours(not is_office_time(cal, instant), night, day in cal.holidays.dates)
    except BeyondKnownHolidays:
        # Beyond the published list nothing proves a holiday, but the weekday and opening hours still say whether
        # the office was open: ask a calendar that knows this one day is not a holiday.
        known = replace(cal, holidays=BankHolidays(frozenset(), day, day))
        return PageHours(not is_office_time(known, instant), night, False)

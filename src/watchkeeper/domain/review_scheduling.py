"""When a review should happen and when actions fall due, on the service's office calendar.

The two settings (how many business days the review is held within, and the usual meeting time) are handed in,
so the rule reads no configuration and the same answer comes from a view, a task, the importer and a test.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from watchkeeper.domain.office_time import OfficeCalendar, add_business_days

# GDS: soon after resolution, while memory is fresh.
DEFAULT_WINDOW_DAYS = 5
DEFAULT_MEETING_TIME = "10:00"
REVIEW_LENGTH = timedelta(hours=1)


def window_days(configured: int | str) -> int:
    """A window of fewer than one business day would fall due before it could be held."""
    return max(1, int(configured))


def meeting_time(configured: object) -> time:
    return time.fromisoformat(str(configured))


@dataclass(frozen=True)
class Proposal:
    proposed_for: datetime
    due_by: datetime


def propose(calendar: OfficeCalendar, resolved_at: datetime, days: int, meeting: time) -> Proposal:
    """The last working day of the window, at the usual meeting time kept inside office hours.

    Days are counted as people count them: the day of resolution is day 0, so the window ends at
    closing on the ``days``-th working day after it, skipping weekends, bank holidays and closures.
    """
    zone = calendar.zone
    resolved_day = resolved_at.astimezone(zone).date()
    # From closing time on the day of resolution, n business days end exactly at closing on the n-th working day.
    due_by = add_business_days(calendar, datetime.combine(resolved_day, calendar.closing, zone), days)
    latest_start = (datetime.combine(resolved_day, calendar.closing) - REVIEW_LENGTH).time()
    start = min(max(meeting, calendar.opening), max(latest_start, calendar.opening))
    return Proposal(proposed_for=datetime.combine(due_by.astimezone(zone).date(), start, zone), due_by=due_by)


def action_due(calendar: OfficeCalendar, start: datetime, business_days: int) -> datetime:
    return add_business_days(calendar, start, business_days)

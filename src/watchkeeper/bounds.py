"""The span of dates Watchkeeper keeps: outside it, time zone arithmetic and office calendars overflow (a 500).

Year 1 cannot be shown in Europe/London (its offset before 1847 pushes it below datetime.min) and deadlines a
day past 9999-12-31 do not exist; no real incident or review needs either.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
EARLIEST_DAY = EARLIEST.date()
LATEST_DAY = LATEST.date()


def out_of_range(value: datetime) -> str | None:
    """A message for a form or API field when an aware datetime is outside the span, else None."""
    if value < EARLIEST or value >= LATEST:
        return f"Enter a time between {EARLIEST:%Y} and {LATEST.year - 1}"
    return None


def clamp_day(day: date) -> date:
    return min(max(day, EARLIEST_DAY), LATEST_DAY)

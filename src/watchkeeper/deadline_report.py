"""The deadlines a priority sets, as the JSON the CLI prints."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from watchkeeper.domain.deadlines import compute_deadlines
from watchkeeper.domain.office_time import OfficeCalendar
from watchkeeper.domain.priority import PriorityPolicy


def deadlines_json(policy: PriorityPolicy, calendar: OfficeCalendar, reported_at: datetime) -> dict[str, Any]:
    """Deadlines in the caller's own UTC offset, so the answer reads in the same frame as the question."""
    deadlines = compute_deadlines(policy, calendar, reported_at)
    offset = reported_at.tzinfo
    return {
        "priority": policy.priority.value,
        "reported_at": reported_at.isoformat(),
        "respond_by": deadlines.respond_by.astimezone(offset).isoformat(),
        "first_update_by": deadlines.first_update_by.astimezone(offset).isoformat(),
        "update_every": policy.update_interval.iso_duration() if policy.updates_repeat else None,
        "division": calendar.division.value,
    }

"""Respond-by and update-due instants, from a priority policy, an office calendar and what has happened.

Every clock starts at ``reported_at``. Callers pass in the facts (when the incident was
reported, last updated, reopened); nothing here reads the clock, so the answers are the
same whenever they are asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from watchkeeper.domain.office_time import OfficeCalendar, add_span, require_aware
from watchkeeper.domain.priority import PriorityPolicy


@dataclass(frozen=True)
class Deadlines:
    """When an incident must be responded to and first updated, in UTC.

    ``update_every`` is the interval each published update restarts (P1/P2 by default);
    ``None`` means a single update is owed.
    """

    respond_by: datetime
    first_update_by: datetime
    update_every: timedelta | None


def compute_deadlines(policy: PriorityPolicy, cal: OfficeCalendar, reported_at: datetime) -> Deadlines:
    """The deadlines for an incident reported at ``reported_at``; a priority change recomputes from there too."""
    return Deadlines(
        respond_by=add_span(cal, reported_at, policy.respond_within),
        first_update_by=add_span(cal, reported_at, policy.update_interval),
        # PriorityPolicy guarantees a repeating interval is elapsed time, so minutes are exact.
        update_every=timedelta(minutes=policy.update_interval.amount) if policy.updates_repeat else None,
    )


def next_update_due(
    policy: PriorityPolicy,
    cal: OfficeCalendar,
    *,
    reported_at: datetime,
    last_update_at: datetime | None,
    reopened_at: datetime | None,
    resolved: bool,
) -> datetime | None:
    """When the next update is due, or ``None`` if no update is owed.

    Repeating policies owe one an interval after the latest of the last update and the
    reopening (else the report). Single-update policies owe one an interval after the
    report, or after reopening; an update given since then settles it.
    """
    require_aware(reported_at, "reported_at")
    if last_update_at is not None:
        require_aware(last_update_at, "last_update_at")
    if reopened_at is not None:
        require_aware(reopened_at, "reopened_at")
    if resolved:
        return None
    interval = policy.update_interval
    if policy.updates_repeat:
        restarts = [moment for moment in (last_update_at, reopened_at) if moment is not None]
        return add_span(cal, max(restarts, default=reported_at), interval)
    clock_start = reopened_at if reopened_at is not None else reported_at
    if last_update_at is not None and (reopened_at is None or last_update_at >= reopened_at):
        return None
    return add_span(cal, clock_start, interval)


def response_met_on_time(respond_by: datetime, met_at: datetime) -> bool:
    """Whether an incident lead was established by the deadline; meeting it at the very instant counts."""
    return require_aware(met_at, "met_at") <= require_aware(respond_by, "respond_by")


def deadlines_json(policy: PriorityPolicy, cal: OfficeCalendar, reported_at: datetime) -> dict[str, str | None]:
    """The deadlines as the CLI prints them, in the caller's own UTC offset, so the answer reads in the same frame
    as the question."""
    deadlines = compute_deadlines(policy, cal, reported_at)
    offset = reported_at.tzinfo
    return {
        "priority": policy.priority.value,
        "reported_at": reported_at.isoformat(),
        "respond_by": deadlines.respond_by.astimezone(offset).isoformat(),
        "first_update_by": deadlines.first_update_by.astimezone(offset).isoformat(),
        "update_every": policy.update_interval.iso_duration() if policy.updates_repeat else None,
        "division": cal.division.value,
    }

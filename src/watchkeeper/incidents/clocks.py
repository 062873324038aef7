"""Keeps an incident's stored deadlines equal to what the domain says they are."""

from __future__ import annotations

from watchkeeper.catalogue import queries as catalogue
from watchkeeper.domain.deadlines import compute_deadlines, next_update_due
from watchkeeper.domain.workflow import Status
from watchkeeper.incidents.models import Incident


def recompute(incident: Incident) -> None:
    """Sets respond-by, first update and next update due from reported_at, the policy and the calendar."""
    policy = catalogue.policy_for(incident.service, incident.priority_enum)
    calendar = catalogue.calendar_for(incident.service)
    deadlines = compute_deadlines(policy, calendar, incident.reported_at)
    incident.respond_by = deadlines.respond_by
    incident.first_update_by = deadlines.first_update_by
    incident.next_update_due = next_update_due(
        policy,
        calendar,
        reported_at=incident.reported_at,
        last_update_at=incident.last_update_at,
        reopened_at=incident.reopened_at,
        resolved=incident.status in {Status.RESOLVED.value, Status.CLOSED.value},
    )

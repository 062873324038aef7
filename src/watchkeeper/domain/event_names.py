"""The names of what happens to an incident: the event bus publishes them and the routing rules match on them."""

from __future__ import annotations

DECLARED = "incident.declared"
UPDATED = "incident.updated"
PRIORITY_CHANGED = "incident.priority_changed"
STATUS_CHANGED = "incident.status_changed"
ROLE_CHANGED = "incident.role_changed"
TYPE_CHANGED = "incident.type_changed"
RESOLVED = "incident.resolved"
REOPENED = "incident.reopened"
CLOSED = "incident.closed"
INCIDENT_CHANGES = frozenset(
    {DECLARED, UPDATED, PRIORITY_CHANGED, STATUS_CHANGED, ROLE_CHANGED, TYPE_CHANGED, RESOLVED, REOPENED, CLOSED}
)

# Published by reviews: the public version of a post-incident report may have changed.
REPORT_CHANGED = "report.changed"

# Published by breaches on the 72-hour ICO clock: reminders go to the response team, escalations to the data
# protection contacts.
BREACH_REMINDER = "breach.reminder"
BREACH_ESCALATION = "breach.escalation"

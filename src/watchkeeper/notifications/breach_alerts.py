"""Alerts on the 72-hour ICO clock (breach events) as deliveries, like any other message.

A reminder goes to the response team; an escalation to the data protection contacts. Both run inside the
breach task's transaction, so the alert recorded on the breach and its deliveries commit together.
"""

from __future__ import annotations

from watchkeeper.incidents import events
from watchkeeper.incidents.models import Incident
from watchkeeper.notifications import routing
from watchkeeper.notifications.models import Audience


def response_team(incident: Incident) -> list[routing.Target]:
    """The comms lead and the incident lead by email; the team while the incident has neither."""
    people = [person for person in (incident.comms_lead, incident.incident_lead) if person is not None]
    if not people:
        return routing.audience_targets(incident, Audience.TEAM)
    return [routing.person_target(person) for person in dict.fromkeys(people)]


def targets_for(incident: Incident, event: events.IncidentEvent) -> list[routing.Target]:
    if event.name == events.BREACH_ESCALATION:
        # With no data protection contacts configured the escalation still reaches someone who can act.
        people = routing.audience_targets(incident, Audience.DATA_PROTECTION) or response_team(incident)
    else:
        people = response_team(incident)
    asked = [
        routing.channel_target(route.channel, route.audience)
        for route in routing.routes_for(incident)
        if routing.matches(route, event.name, incident, event.data)
    ]
    return people + asked

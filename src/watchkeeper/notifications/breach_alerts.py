"""Alerts on the 72-hour ICO clock (breaches.events) as deliveries, like any other message.

A reminder goes to the response team; an escalation to the data protection contacts. Both run inside the
breach task's transaction, so the alert recorded on the breach and its deliveries commit together.
"""

from __future__ import annotations

from watchkeeper.breaches import events
from watchkeeper.incidents.models import Incident
from watchkeeper.notifications import routing, services
from watchkeeper.notifications.models import Audience


def response_team(incident: Incident) -> list[routing.Target]:
    """The comms lead and the incident lead by email; the team while the incident has neither."""
    people = [person for person in (incident.comms_lead, incident.incident_lead) if person is not None]
    if not people:
        return routing.audience_targets(incident, Audience.TEAM)
    return [routing.person_target(person) for person in dict.fromkeys(people)]


def targets_for(incident: Incident, event: events.BreachEvent) -> list[routing.Target]:
    if event.name == events.ESCALATION:
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


def on_breach_event(event: events.BreachEvent) -> None:
    incident = Incident.objects.select_related("service", "service__team", "incident_lead", "comms_lead").get(
        pk=event.incident_id
    )
    deadline = event.data["ico_deadline"]
    # Keyed by the milestone and the deadline it is about: a milestone that fires twice sends once.
    event_id = f"{incident.pk}:{event.name}:{event.data['hours']}:{deadline}"
    services.record_deliveries(
        incident, event.name, event_id, targets_for(incident, event), {**event.data, "due": deadline}
    )

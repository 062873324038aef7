"""What reviews does when an incident changes: a report from declaration, a review proposed on resolution, the
close gate, and the incident page's links to both."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from watchkeeper.incidents import events, panels
from watchkeeper.incidents.models import Incident
from watchkeeper.reviews import services
from watchkeeper.reviews.links import incident_links


def on_incident_event(event: events.IncidentEvent) -> None:
    incident = Incident.objects.select_related("service", "incident_lead", "comms_lead").get(pk=event.incident_id)
    if event.name == events.DECLARED:
        services.ensure_report(incident)
    else:
        actor = get_user_model().objects.filter(pk=event.actor_id).first() if event.actor_id else None
        services.propose_review(incident, actor)


def connect() -> None:
    events.add_handler(on_incident_event, {events.DECLARED, events.RESOLVED})
    events.guard_close(services.review_gate)
    panels.contribute(incident_links)

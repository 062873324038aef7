"""What notifications does when an incident changes or its breach clock ticks: deliveries by the routes, and the
reminders the change makes due. Both run inside the publishing transaction, so deliveries commit with the change."""

from __future__ import annotations

import uuid

from watchkeeper.incidents import events, panels
from watchkeeper.incidents.models import Incident
from watchkeeper.notifications import breach_alerts, reminders, routing, services, tasks


def _incident(incident_id: int) -> Incident:
    related = ("service", "service__team", "incident_lead", "comms_lead")
    return Incident.objects.select_related(*related).get(pk=incident_id)


def on_incident_event(event: events.IncidentEvent) -> None:
    incident = _incident(event.incident_id)
    text = ""
    if event.name == events.UPDATED and (entry_id := event.data.get("entry_id")):
        text = incident.timeline.filter(pk=entry_id).values_list("text", flat=True).first() or ""
    targets = routing.targets_for(incident, event.name, event.data)
    services.record_deliveries(incident, event.name, uuid.uuid4().hex, targets, event.data, text)
    reminders.schedule(incident, event.name)


def on_breach_event(event: events.IncidentEvent) -> None:
    incident = _incident(event.incident_id)
    deadline = event.data["ico_deadline"]
    # Keyed by the milestone and the deadline it is about: a milestone that fires twice sends once.
    event_id = f"{incident.pk}:{event.name}:{event.data['hours']}:{deadline}"
    targets = breach_alerts.targets_for(incident, event)
    services.record_deliveries(incident, event.name, event_id, targets, {**event.data, "due": deadline})


def connect() -> None:
    events.queue({"notifications.deliver": tasks.deliver, "notifications.remind": tasks.remind})
    events.add_handler(on_incident_event, events.INCIDENT_CHANGES)
    events.add_handler(on_breach_event, {events.BREACH_REMINDER, events.BREACH_ESCALATION})
    panels.contribute_section("notifications/delivery_log.html")

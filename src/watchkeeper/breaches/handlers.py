"""What breaches does when others act: a personal data breach gets its record as soon as the incident is one, a
security incident is not resolved before its steps are done, and the incident page shows the ICO clock."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from watchkeeper.breaches import services, tasks
from watchkeeper.breaches.flags import ico_flags
from watchkeeper.breaches.links import incident_links
from watchkeeper.incidents import events, panels
from watchkeeper.incidents.models import Incident


def on_incident_event(event: events.IncidentEvent) -> None:
    incident = Incident.objects.get(pk=event.incident_id)
    actor = get_user_model().objects.filter(pk=event.actor_id).first() if event.actor_id else None
    services.open_if_breach(incident, actor)


def connect() -> None:
    events.queue({"breaches.breach_alert": tasks.breach_alert})
    events.add_handler(on_incident_event, {events.DECLARED, events.TYPE_CHANGED})
    events.guard_resolve(services.check_security_steps)
    panels.contribute(incident_links)
    panels.contribute_flag(ico_flags)

"""The breach record and security response, linked from the incident page for those on the incident."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.urls import reverse

from watchkeeper.breaches.access import on_incident
from watchkeeper.breaches.queries import clock_for
from watchkeeper.domain.workflow import security_steps
from watchkeeper.incidents.models import Incident
from watchkeeper.incidents.panels import Link


def incident_links(user: User | AnonymousUser, incident: Incident) -> list[Link]:
    if not on_incident(user, incident):
        return []
    ref = {"reference": incident.reference}
    links = []
    if (clock := clock_for(user, incident)) is not None:
        links.append(Link("Personal data breach record", reverse("breaches:record", kwargs=ref), clock))
    if security_steps(incident.type_enum):
        links.append(Link("Security response", reverse("breaches:security", kwargs=ref), "contain, eradicate, recover"))
    return links

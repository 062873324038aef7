"""What the comms lead's forms start with when they come from an incident: the incident's own service, status
and priority, and the standard wording naming what users know (its components or service), ready to edit."""

from __future__ import annotations

from typing import Any

from django.http import QueryDict

from watchkeeper.incidents.models import Incident
from watchkeeper.statuspage.incident_panels import matching_public_status
from watchkeeper.statuspage.models import PublicIncident
from watchkeeper.statuspage.services import standard_wording
from watchkeeper.statuspage.vocabulary import FINISHED, ComponentStatus, IncidentStatus, message_template, plain_list

# How badly a priority usually hurts the components it is about: a P1 is a complete outage (GDS Way).
COMPONENT_STATUS_FOR_PRIORITY = {
    "P1": ComponentStatus.MAJOR_OUTAGE.value,
    "P2": ComponentStatus.PARTIAL_OUTAGE.value,
    "P3": ComponentStatus.DEGRADED_PERFORMANCE.value,
    "P4": ComponentStatus.DEGRADED_PERFORMANCE.value,
}


def service_names(incident: Incident) -> str:
    names = [c.name for c in incident.service.components.order_by("position", "name")]
    return plain_list(names) or incident.service.name


def publish_initial(incident: Incident, query: QueryDict) -> dict[str, Any]:
    """Everything but the public title, which only a person can word: how users are affected."""
    status = matching_public_status(incident)
    return {
        "status": status,
        "body": query.get("body", "").strip() or message_template(status, service_names(incident)),
        "components": [str(pk) for pk in incident.service.components.values_list("pk", flat=True)],
        "component_status": COMPONENT_STATUS_FOR_PRIORITY.get(incident.priority, ComponentStatus.PARTIAL_OUTAGE),
        "notify": True,
    }


def update_initial(public: PublicIncident, query: QueryDict) -> dict[str, Any]:
    """A status named in the address (the incident just moved to it) comes with its standard wording; resolving
    puts every affected component back to operational."""
    status = query.get("status", "")
    if public.is_maintenance or status not in {s.value for s in IncidentStatus}:
        return {"status": public.status, "notify": True}
    initial: dict[str, Any] = {"status": status, "notify": True, "body": standard_wording(public, status)}
    if status in FINISHED:
        initial["components"] = [str(pk) for pk in public.components.values_list("pk", flat=True)]
        initial["component_status"] = ComponentStatus.OPERATIONAL.value
    return initial


def wording_for(names: str) -> list[tuple[str, str]]:
    """The standard wording for every status, as a reminder beside the form."""
    return [(status.value.capitalize(), message_template(status, names)) for status in IncidentStatus]

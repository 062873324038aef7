"""A public update from Slack on the status page: through the status page's own service functions, never its models.

An internal update marked public is already copied to the incident's open public incidents by the status page
(``statuspage.handlers``), without components. When the person also chose components, the Slack app posts the
public update itself, with them, and records the internal update unmarked, so the status page shows it once.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.urls import reverse

from watchkeeper.catalogue.models import Component
from watchkeeper.incidents import services
from watchkeeper.incidents.models import Incident
from watchkeeper.slackapp.modals import COMPONENT_STATUSES
from watchkeeper.statuspage import services as statuspage
from watchkeeper.statuspage.models import PublicIncident


@dataclass(frozen=True)
class Posted:
    public_incidents: int
    components: dict[Component, str]
    wanted_public: bool


def publish_url(incident: Incident) -> str:
    return settings.SITE_URL + reverse("statuspage:publish-incident", kwargs={"reference": incident.reference})


def component_statuses(incident: Incident, ids: list[str], status: str | None) -> dict[Component, str]:
    """The chosen components of the incident's service, each given the chosen status."""
    if not ids and not status:
        return {}
    if not ids:
        raise ValidationError({"components": "Choose the components that have this status"})
    if not status:
        raise ValidationError({"component_status": "Choose the status of the components"})
    if status not in COMPONENT_STATUSES:
        raise ValidationError({"component_status": f"{status!r} is not a component status"})
    wanted = {int(i) for i in ids if i.isdigit()}
    found = list(Component.objects.filter(service=incident.service, pk__in=wanted))
    if len(found) != len(set(ids)):
        raise ValidationError({"components": f"Choose components of {incident.service.name}"})
    return {component: status for component in found}


def open_public_incidents(incident: Incident) -> list[PublicIncident]:
    return list(
        PublicIncident.objects.filter(
            incident=incident, kind=PublicIncident.Kind.INCIDENT, resolved_at__isnull=True
        ).order_by("pk")
    )


def post(
    actor: User, incident: Incident, body: str, *, public: bool, ids: list[str], component_status: str | None
) -> Posted:
    """Posts the update, and a public one with components; call inside the caller's transaction."""
    statuses = component_statuses(incident, ids, component_status) if public else {}
    publics = open_public_incidents(incident) if public else []
    if not (publics and statuses):
        # The status page copies a public update to its open public incidents itself.
        services.post_update(actor, incident, body, public=public)
        return Posted(len(publics), {}, public)
    services.post_update(actor, incident, body, public=False)
    for found in publics:
        # The public status stays as the comms lead last set it, as when the status page copies an update.
        statuspage.post_update(
            actor, found, status=found.status, body=body, component_statuses=statuses, on_timeline=False
        )
    return Posted(len(publics), statuses, public)


def confirmation(incident: Incident, posted: Posted) -> str:
    done = f"Update posted on {incident.reference}."
    if not posted.wanted_public:
        return done
    if not posted.public_incidents:
        return (
            f"{done} It is not on the status page: {incident.reference} has no public incident yet. "
            f"<{publish_url(incident)}|Publish it on the status page>."
        )
    if not posted.components:
        return f"Update posted on {incident.reference} and on the status page."
    names = ", ".join(c.name for c in posted.components)
    status = COMPONENT_STATUSES[next(iter(posted.components.values()))].lower()
    return f"Update posted on {incident.reference} and on the status page, with {names}: {status}."

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from watchkeeper.incidents.models import Incident
    from watchkeeper.incidents.panels import Link


class AlertsConfig(AppConfig):
    name = "watchkeeper.alerts"
    label = "alerts"

    def ready(self) -> None:
        from watchkeeper.alerts import handlers
        from watchkeeper.incidents import panels

        handlers.connect()
        # The incident keeps its alerts; once it is resolved, the page offers to resolve the groups still open.
        panels.contribute_section("alerts/incident_alerts.html")
        panels.contribute_after_resolve(offer_to_resolve_groups)


def offer_to_resolve_groups(user: User, incident: Incident) -> Link | None:
    """Resolving an incident never resolves its alerts: it asks, on a page of its own."""
    from django.urls import reverse

    from watchkeeper.alerts import queries
    from watchkeeper.incidents.panels import Link

    count = queries.open_for_incident(incident).count()
    if not count:
        return None
    text = f"It still has {count} open alert group{'' if count == 1 else 's'}: resolve them too, or leave them open."
    return Link(text, reverse("alerts:incident-groups", args=[incident.reference]))

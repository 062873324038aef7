"""Reads of integrations and alert groups."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Prefetch, QuerySet

from watchkeeper.alerts.models import OPEN_VALUES, Alert, AlertGroup, Integration, Kind
from watchkeeper.incidents.models import Incident


def integrations(service: str | None = None) -> QuerySet[Integration]:
    found = Integration.objects.select_related("service", "policy").prefetch_related("routes")
    return found.filter(service__slug=service) if service else found


def groups(
    *, integration: int | None = None, status: str | None = None, service: str | None = None
) -> QuerySet[AlertGroup]:
    found = AlertGroup.objects.select_related("integration__service", "incident").prefetch_related(
        Prefetch("alerts", queryset=Alert.objects.order_by("started_at", "id"))
    )
    if integration is not None:
        found = found.filter(integration_id=integration)
    if status == "open":
        found = found.filter(status__in=OPEN_VALUES)
    elif status:
        found = found.filter(status=status)
    if service:
        found = found.filter(integration__service__slug=service)
    return found


def urls(integration: Integration, key: str) -> dict[str, str]:
    """Where each kind of sender posts, with this key; shown once with the key."""
    site = settings.SITE_URL
    by_kind = {
        Kind.ALERTMANAGER: {
            "alertmanager": f"{site}/alerts/alertmanager/{key}",
            "alertmanager_bearer": f"{site}/alerts/alertmanager",
        },
        Kind.PAGERDUTY: {"events_v2": f"{site}/v2/enqueue", "change_events": f"{site}/v2/change/enqueue"},
        Kind.SNS: {"sns": f"{site}/alerts/sns/{key}"},
        Kind.GENERIC: {"generic": f"{site}/alerts/generic/{key}"},
        Kind.HEARTBEAT: {"heartbeat": f"{site}/alerts/heartbeat/{key}"},
    }
    return by_kind[Kind(integration.kind)]


def open_for_incident(incident: Incident) -> QuerySet[AlertGroup]:
    return groups(status="open").filter(incident=incident).order_by("opened_at", "id")

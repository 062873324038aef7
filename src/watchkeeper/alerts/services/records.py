"""History entries on a group, and notes on the incident a group belongs to, written by the alerts services."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.utils import timezone

from watchkeeper.alerts.models import Alert, AlertGroup, History
from watchkeeper.incidents import services as incidents


def record(group: AlertGroup, kind: str, text: str, *, alert: Alert | None = None, actor: User | None = None) -> None:
    History.objects.create(group=group, alert=alert, at=timezone.now(), kind=kind, text=text[:1200], actor=actor)


def note_on_incident(group: AlertGroup, text: str, *, alert: Alert | None = None) -> None:
    """Each firing and resolved transition goes onto the incident's timeline, with the alert's labels and links."""
    if group.incident is None:
        return
    data: dict[str, object] = {"alert_group": group.pk}
    if alert is not None:
        data.update(dedup_key=alert.dedup_key, labels=alert.labels, links=alert.links)
    incidents.record_from_system(group.incident, text, source="alerts", **data)

"""An alert group becomes an incident, or joins one: declared by a person, or automatically by a label route.

Apart from groups.py so intake can declare automatically without importing the people's actions back."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from watchkeeper.accounts.roles import can_act
from watchkeeper.alerts.models import OPEN_VALUES, Alert, AlertGroup
from watchkeeper.alerts.services import paging
from watchkeeper.alerts.services.records import note_on_incident, record
from watchkeeper.incidents import services as incidents
from watchkeeper.incidents.models import Incident
from watchkeeper.incidents.visibility import can_act_on


def lock_group(actor: User | None, group: AlertGroup) -> AlertGroup:
    if actor is not None and not can_act(actor):
        raise PermissionDenied("Only responders can act on alert groups")
    return AlertGroup.objects.select_for_update(of=("self",)).select_related("integration__service").get(pk=group.pk)


@transaction.atomic
def declare_from_group(
    actor: User, group: AlertGroup, *, title: str | None = None, priority: str | None = None, take_lead: bool = False
) -> Incident:
    """The incident, pre-filled: title, service, priority, and first noticed when the first alert started."""
    group = lock_group(actor, group)
    if group.incident_id is not None:
        raise ValidationError({"incident": "This alert group already belongs to an incident"})
    first = Alert.objects.filter(group=group).order_by("started_at").first()
    now = timezone.now()
    started = min(first.started_at, now) if first else group.opened_at
    incident = incidents.declare(
        actor,
        title=(title or group.title)[:200],
        service=group.integration.service,
        priority=priority or group.suggested_priority or None,
        reported_at=started,
        description=_description(group),
        reporter=f"Alert from {group.integration.name}",
        take_lead=take_lead,
    )
    _attach(group, incident, actor, f"Declared {incident.reference} from this alert group")
    return incident


def declare_automatically(group: AlertGroup) -> Incident | None:
    """A label route opted in: declare as whoever set the integration up, if they still may."""
    creator = group.integration.created_by
    if creator is None or not can_act(creator):
        record(group, "not_declared", "Not declared automatically: the integration's creator cannot declare")
        return None
    return declare_from_group(creator, group)


@transaction.atomic
def link_group(actor: User, group: AlertGroup, incident: Incident) -> AlertGroup:
    group = lock_group(actor, group)
    if not can_act_on(actor, incident):
        raise PermissionDenied("You cannot act on this incident")
    if group.incident_id is not None:
        raise ValidationError({"incident": "This alert group already belongs to an incident"})
    _attach(group, incident, actor, f"Linked to {incident.reference}")
    return group


def _attach(group: AlertGroup, incident: Incident, actor: User, text: str) -> None:
    group.incident = incident
    group.save(update_fields=["incident"])
    record(group, "incident", text, actor=actor)
    paging.attach_incident(group, incident, actor)
    for alert in Alert.objects.filter(group=group):
        state = "firing" if alert.status in OPEN_VALUES else "resolved"
        note_on_incident(group, f"Alert {state}: {alert.summary}", alert=alert)


def _description(group: AlertGroup) -> str:
    lines = [f"From the alert group {group.title!r} on {group.integration.name}."]
    for alert in Alert.objects.filter(group=group)[:20]:
        labels = ", ".join(f"{k}={v}" for k, v in sorted(alert.labels.items()))
        links = " ".join(link["href"] for link in alert.links)
        lines.append(f"- {alert.summary} ({labels}) {links}".rstrip())
    return "\n".join(lines)

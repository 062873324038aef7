"""Who leads an incident's response and who is on its team: naming a lead is the response the clock waits for."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from watchkeeper.accounts.roles import can_act
from watchkeeper.domain.workflow import Step
from watchkeeper.incidents import events
from watchkeeper.incidents.models import EntryKind, Incident, Responder
from watchkeeper.incidents.services.checklist import tick
from watchkeeper.incidents.services.common import lock, publish, record, save

ROLE_FIELDS = {"incident_lead": "incident lead", "comms_lead": "comms lead", "technical_lead": "technical lead"}


@transaction.atomic
def assign_role(
    actor: User,
    incident: Incident,
    role: str,
    user: User | None,
    *,
    expected_version: int | None = None,
    announce: bool = True,
) -> Incident:
    """Names the incident lead, comms lead or technical lead; a change of person is a handover."""
    if role not in ROLE_FIELDS:
        raise ValidationError({"role": f"unknown role {role!r}: use {', '.join(ROLE_FIELDS)}"})
    incident = lock(actor, incident, expected_version)
    if user is not None and not can_act(user):
        raise ValidationError({"username": f"{user.get_username()} is not a responder, so cannot take a role"})
    if user is None and role == "incident_lead":
        raise ValidationError({"username": "An incident always keeps a lead once one is established"})
    previous = getattr(incident, role)
    if previous == user:
        return incident
    setattr(incident, role, user)
    now = timezone.now()
    label = ROLE_FIELDS[role]
    name = user.get_username() if user else "nobody"
    if previous is None:
        text = f"{name} is now {label}"
    else:
        text = f"{label.capitalize()} handed over from {previous.get_username()} to {name}"
    if role == "incident_lead" and incident.response_met_at is None:
        incident.response_met_at = now
        incident.responded_at = incident.responded_at or now
        incident.acknowledged_at = incident.acknowledged_at or now
        on_time = now <= incident.respond_by
        text += " (response met on time)" if on_time else " (response met late)"
        tick(incident, Step.LEAD_ESTABLISHED, actor)
    save(incident)
    record(incident, actor, EntryKind.ROLE, text, role=role, user=user.get_username() if user else None)
    if incident.incident_lead_id and incident.comms_lead_id:
        tick(incident, Step.RESPONSE_TEAM_FORMED, actor)
    if announce:
        publish(events.ROLE_CHANGED, incident, actor, role=role)
    return incident


@transaction.atomic
def join(actor: User, incident: Incident, user: User | None = None, *, expected_version: int | None = None) -> Incident:
    """Adds someone (the actor by default) to the response team."""
    user = user or actor
    incident = lock(actor, incident, expected_version)
    if not can_act(user):
        raise ValidationError({"username": f"{user.get_username()} is not a responder"})
    if not incident.responders.filter(user=user, left_at__isnull=True).exists():
        Responder.objects.create(incident=incident, user=user, joined_at=timezone.now())
        record(incident, actor, EntryKind.ROLE, f"{user.get_username()} joined the response team")
    return incident


@transaction.atomic
def leave(
    actor: User, incident: Incident, user: User | None = None, *, expected_version: int | None = None
) -> Incident:
    user = user or actor
    incident = lock(actor, incident, expected_version)
    if incident.responders.filter(user=user, left_at__isnull=True).update(left_at=timezone.now()):
        record(incident, actor, EntryKind.ROLE, f"{user.get_username()} left the response team")
    return incident

"""Helpers shared by the breach service modules: permission, locking and the timeline."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from watchkeeper.breaches.access import may_act
from watchkeeper.breaches.models import Breach, BreachDecision
from watchkeeper.incidents.models import EntryKind, Incident
from watchkeeper.incidents.services import timeline


def require_actor(actor: User, incident: Incident) -> None:
    if not may_act(actor, incident):
        raise PermissionDenied("You cannot act on this incident")


def lock_breach(incident: Incident) -> Breach:
    breach = Breach.objects.select_for_update().select_related("incident").filter(incident=incident).first()
    if breach is None:
        raise ValidationError({"breach": f"{incident.reference} has no breach record yet"})
    return breach


def lock_incident(incident: Incident) -> Incident:
    return Incident.objects.select_for_update().get(pk=incident.pk)


def record(incident: Incident, actor: User | None, text: str, kind: str = EntryKind.DECISION, **data: object) -> None:
    timeline.record(incident, kind, text, author=actor, data=data)


def decide(incident: Incident, actor: User | None, kind: str, decision: str, reason: str = "") -> BreachDecision:
    """A decision row and its timeline entry: the who, when and why the data protection officer reads later."""
    entry = BreachDecision.objects.create(
        incident=incident, kind=kind, decision=decision, reason=reason.strip(), at=timezone.now(), by=actor
    )
    text = f"{entry.get_kind_display()}: {decision}" + (f". Reason: {entry.reason}" if entry.reason else "")
    record(incident, actor, text, breach_decision=kind)
    return entry


def past_instant(value: datetime, field: str, label: str) -> datetime:
    if timezone.is_naive(value):
        raise ValidationError({field: f"Give {label} with a UTC offset"})
    if value > timezone.now():
        raise ValidationError({field: f"{label.capitalize()} must be now or in the past"})
    return value


def save(breach: Breach) -> Breach:
    breach.version += 1
    breach.full_clean()
    breach.save()
    return breach

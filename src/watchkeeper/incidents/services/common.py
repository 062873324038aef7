"""What every incident service does around its change: check permission, lock the row, save, record, publish."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied

from watchkeeper.incidents import events
from watchkeeper.incidents.models import Incident, TimelineEntry
from watchkeeper.incidents.services import timeline
from watchkeeper.incidents.visibility import can_act_on


class Conflict(Exception):
    """Someone else changed the incident since the caller last read it."""


def require(condition: bool, message: str) -> None:
    if not condition:
        raise PermissionDenied(message)


def lock(actor: User, incident: Incident, expected_version: int | None) -> Incident:
    """Re-reads the incident under a row lock, so two people acting at once never lose a change."""
    require(can_act_on(actor, incident), "You cannot act on this incident")
    locked = Incident.objects.select_for_update().select_related("service").get(pk=incident.pk)
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            f"{locked.reference} was changed by someone else while you were editing. Check the latest and try again."
        )
    return locked


def save(incident: Incident) -> Incident:
    incident.version += 1
    incident.full_clean(exclude=["idempotency_key"])
    incident.save()
    return incident


def record(
    incident: Incident, actor: User | None, kind: str, text: str, *, public: bool = False, **data: object
) -> TimelineEntry:
    return timeline.record(incident, kind, text, author=actor, public=public, data=data)


def publish(name: str, incident: Incident, actor: User | None, **data: object) -> None:
    events.publish(events.IncidentEvent(name, incident.pk, actor.pk if actor else None, dict(data)))

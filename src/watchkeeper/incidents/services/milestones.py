"""Milestones: the instants insights measure from, recorded as things happen and correctable with a reason.

Services here are the only writers of milestones besides the incident's own service functions, which stamp
them as the incident moves (declared, lead established, first move to monitoring, resolved, closed). The
on-call and alert apps call ``record_acknowledged`` and ``record_detected``; people correct a wrong time
with ``correct_milestones``, which keeps the order so no duration is ever negative.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from watchkeeper.incidents import services
from watchkeeper.incidents.models import EntryKind, Incident
from watchkeeper.incidents.services import timeline

# In the order they normally happen, as the API and CSV list them.
MILESTONES = (
    "impact_started_at",
    "detected_at",
    "declared_at",
    "acknowledged_at",
    "responded_at",
    "mitigated_at",
    "resolved_at",
    "closed_at",
)
# (earlier, later): each pair must not run backwards. Acknowledgement may come before the declaration (a page
# for an alert), so it is tied to detection; everything else follows the declaration.
ORDER = (
    ("impact_started_at", "detected_at"),
    ("detected_at", "declared_at"),
    ("detected_at", "acknowledged_at"),
    ("acknowledged_at", "responded_at"),
    ("declared_at", "responded_at"),
    ("declared_at", "mitigated_at"),
    ("mitigated_at", "resolved_at"),
    ("declared_at", "resolved_at"),
    ("resolved_at", "closed_at"),
)
LABELS = {name: name.removesuffix("_at").replace("_", " ") for name in MILESTONES}


def milestones_of(incident: Incident) -> dict[str, datetime | None]:
    return {name: getattr(incident, name) for name in MILESTONES}


def order_errors(values: dict[str, datetime | None], changed: set[str]) -> dict[str, str]:
    """Each pair that runs backwards, reported against the field the caller changed (the later one if both)."""
    errors: dict[str, str] = {}
    for earlier, later in ORDER:
        first, second = values.get(earlier), values.get(later)
        if first is None or second is None or first <= second:
            continue
        field = later if later in changed or earlier not in changed else earlier
        errors.setdefault(
            field, f"{LABELS[later].capitalize()} cannot be before {LABELS[earlier]}: that would be a negative duration"
        )
    return errors


def _check_values(incident: Incident, changes: dict[str, datetime], reason: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    now = timezone.now()
    for name, value in changes.items():
        if name not in MILESTONES:
            errors[name] = f"unknown milestone {name!r}: use {', '.join(MILESTONES)}"
        elif value is None or not isinstance(value, datetime):
            errors[name] = "Give the time, with a UTC offset"
        elif timezone.is_naive(value):
            errors[name] = "Give the time with a UTC offset"
        elif value > now:
            errors[name] = f"The {LABELS[name]} time must be now or in the past"
        elif name in {"resolved_at", "closed_at"} and getattr(incident, name) is None:
            errors[name] = f"{incident.reference} is not {LABELS[name]} yet, so that time cannot be set"
    if not reason.strip():
        errors["reason"] = "Say why the times are being corrected"
    return errors


@transaction.atomic
def correct_milestones(
    actor: User,
    incident: Incident,
    changes: dict[str, datetime],
    reason: str,
    *,
    exercise: bool | None = None,
    expected_version: int | None = None,
) -> Incident:
    """Corrects milestone times (and whether this was an exercise), recording the reason on the timeline.

    Invalid input changes nothing: every field at fault is named in one ValidationError.
    """
    if not changes and exercise is None:
        raise ValidationError({"milestones": "Give at least one milestone to correct"})
    incident = services._lock(actor, incident, expected_version)
    errors = _check_values(incident, changes, reason)
    valid = {name: value for name, value in changes.items() if name not in errors}
    # Every problem at once: a missing reason does not hide that the times are out of order.
    for name, message in order_errors({**milestones_of(incident), **valid}, set(valid)).items():
        errors.setdefault(name, message)
    if errors:
        raise ValidationError(errors)
    moved = {name: value for name, value in changes.items() if getattr(incident, name) != value}
    lines = []
    for name, value in moved.items():
        before = getattr(incident, name)
        lines.append(f"{LABELS[name]} {before.isoformat() if before else 'not set'} to {value.isoformat()}")
        setattr(incident, name, value)
    if exercise is not None and exercise != incident.exercise:
        incident.exercise = exercise
        lines.append("marked as an exercise" if exercise else "no longer marked as an exercise")
    if not lines:
        return incident
    services._save(incident)
    timeline.record(
        incident,
        EntryKind.MILESTONE,
        f"Milestones corrected ({'; '.join(lines)}): {reason.strip()}",
        author=actor,
        data={
            "changes": {name: value.isoformat() for name, value in moved.items()},
            "exercise": incident.exercise,
            "reason": reason.strip(),
        },
    )
    return incident


def _earliest(current: datetime | None, at: datetime) -> datetime:
    return at if current is None or at < current else current


@transaction.atomic
def record_acknowledged(incident: Incident, at: datetime) -> Incident:
    """A page for this incident was acknowledged at ``at``; the first acknowledgement is the milestone.

    Called by the on-call app. It does not bump the incident's version: nobody's open form is made stale by it.
    """
    if timezone.is_naive(at):
        raise ValidationError({"acknowledged_at": "Give the time with a UTC offset"})
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    earliest = _earliest(locked.acknowledged_at, at)
    if earliest != locked.acknowledged_at:
        locked.acknowledged_at = earliest
        locked.save(update_fields=["acknowledged_at"])
    return locked


@transaction.atomic
def record_detected(incident: Incident, at: datetime, impact_started_at: datetime | None = None) -> Incident:
    """An alert for this incident fired at ``at`` (its problem began at ``impact_started_at``, e.g. startsAt).

    Called by the alerts app; the earliest alert wins, so a late duplicate never moves a milestone later.
    """
    for name, value in (("detected_at", at), ("impact_started_at", impact_started_at)):
        if value is not None and timezone.is_naive(value):
            raise ValidationError({name: "Give the time with a UTC offset"})
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    locked.detected_at = _earliest(locked.detected_at, at)
    start = impact_started_at or at
    locked.impact_started_at = _earliest(locked.impact_started_at, start)
    locked.save(update_fields=["detected_at", "impact_started_at"])
    return locked

"""The only functions that change incidents.

Each one checks permission, locks the incident row, validates, saves, appends to the timeline,
ticks the checklist and publishes an event, all in one transaction. Views, the API, the CLI and
Slack call these and nothing else.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from watchkeeper import bounds
from watchkeeper.accounts.roles import Role, can_act, has_role
from watchkeeper.catalogue.models import Service
from watchkeeper.domain.priority import Priority
from watchkeeper.domain.workflow import IncidentType, Status, Step, TransitionNotAllowed, check_transition
from watchkeeper.incidents import clocks, events
from watchkeeper.incidents.models import EntryKind, Incident, TimelineEntry
from watchkeeper.incidents.services import timeline
from watchkeeper.incidents.services.checklist import tick
from watchkeeper.incidents.services.common import Conflict  # noqa: F401 - callers catch it as incidents.services.Conflict
from watchkeeper.incidents.services.common import lock as _lock
from watchkeeper.incidents.services.common import publish as _publish
from watchkeeper.incidents.services.common import record as _record
from watchkeeper.incidents.services.common import require as _require
from watchkeeper.incidents.services.common import save as _save
from watchkeeper.incidents.services.references import next_reference
from watchkeeper.incidents.services.roles import assign_role, join, leave  # noqa: F401 - callers use incidents.services
from watchkeeper.incidents.services.updates import (  # noqa: F401 - callers use incidents.services
    NOTE_KINDS,
    STATUS_PAGE,
    add_note,
    post_update,
    record_status_page_post,
)


@transaction.atomic
def declare(
    actor: User,
    *,
    title: str,
    service: Service,
    type: str = IncidentType.TECHNICAL_FAILURE.value,
    priority: str | None = None,
    reported_at: datetime | None = None,
    description: str = "",
    reporter: str = "",
    restricted: bool = False,
    take_lead: bool = False,
    idempotency_key: str | None = None,
    exercise: bool = False,
) -> Incident:
    """Declares an incident. Without a priority it starts as P3 until someone prioritises it (step 3)."""
    _require(can_act(actor), "Only responders can declare incidents")
    # Keys are per declarer: a guessed key must not hand back someone else's (perhaps restricted) incident.
    if idempotency_key:
        idempotency_key = f"{actor.pk}:{idempotency_key}"
        if existing := Incident.objects.filter(idempotency_key=idempotency_key).first():
            return existing
    now = timezone.now()
    reported_at = reported_at or now
    incident_type, level = _checked_declaration(title, type, priority, reported_at, now)
    incident, created = _saved_once(
        Incident(
            reference=next_reference(now.year),
            title=title.strip(),
            description=description,
            service=service,
            type=incident_type.value,
            priority=level.value,
            restricted=restricted or incident_type.restricted,
            reported_at=reported_at,
            declared_at=now,
            declared_by=actor,
            reporter=reporter,
            idempotency_key=idempotency_key or None,
            # The report is the detection unless an alert saw it first (incidents.milestones.record_detected).
            impact_started_at=reported_at,
            detected_at=now,
            exercise=exercise,
        )
    )
    if created:
        _announce_declaration(actor, incident, prioritised=bool(priority), take_lead=take_lead)
    return incident


def _checked_declaration(
    title: str, type: str, priority: str | None, reported_at: datetime, now: datetime
) -> tuple[IncidentType, Priority]:
    """Every problem with a declaration at once, as a form shows them, before anything is written."""
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = "Enter what is happening"
    try:
        incident_type = IncidentType.parse(type)
    except ValueError as error:
        errors["type"] = str(error)
        incident_type = IncidentType.OTHER
    try:
        level = Priority.parse(priority) if priority else Priority.P3
    except ValueError as error:
        errors["priority"] = str(error)
        level = Priority.P3
    if timezone.is_naive(reported_at):
        errors["reported_at"] = "Give the time with a UTC offset"
    elif reported_at > now:
        errors["reported_at"] = "When it was first noticed must be now or in the past"
    elif problem := bounds.out_of_range(reported_at):
        errors["reported_at"] = problem
    if errors:
        raise ValidationError(errors)
    return incident_type, level


def _saved_once(incident: Incident) -> tuple[Incident, bool]:
    """The new incident saved, or the one a double submit with the same key saved first; True if it is new."""
    clocks.recompute(incident)
    try:
        with transaction.atomic():
            return _save(incident), True
    except IntegrityError:
        # A double submit raced us past the idempotency check: the first one won.
        if incident.idempotency_key:
            return Incident.objects.get(idempotency_key=incident.idempotency_key), False
        raise


def _announce_declaration(actor: User, incident: Incident, *, prioritised: bool, take_lead: bool) -> None:
    _record(
        incident,
        actor,
        EntryKind.DECLARED,
        f"Declared as {incident.priority} ({incident.type_enum.label}): {incident.title}",
        priority=incident.priority,
        type=incident.type,
    )
    if prioritised:
        tick(incident, Step.PRIORITISED, actor)
    if take_lead:
        # Before the declared event, so its messages name the lead; the declaration itself announces it.
        assign_role(actor, incident, "incident_lead", actor, announce=False)
        incident.refresh_from_db()
    _publish(events.DECLARED, incident, actor)


@transaction.atomic
def change_priority(
    actor: User, incident: Incident, priority: str, reason: str, *, expected_version: int | None = None
) -> Incident:
    """Sets the priority with a reason; the clocks are recomputed from reported_at with the new policy."""
    try:
        level = Priority.parse(priority)
    except ValueError as error:
        raise ValidationError({"priority": str(error)}) from None
    if not reason.strip():
        raise ValidationError({"reason": "Say why the priority is changing"})
    incident = _lock(actor, incident, expected_version)
    previous = incident.priority
    incident.priority = level.value
    clocks.recompute(incident)
    _save(incident)
    if previous == level.value:
        text = f"Priority confirmed as {level.value}: {reason.strip()}"
    else:
        text = f"Priority changed from {previous} to {level.value}: {reason.strip()}"
    _record(incident, actor, EntryKind.PRIORITY, text, previous=previous, priority=level.value)
    tick(incident, Step.PRIORITISED, actor)
    if previous != level.value:
        _publish(events.PRIORITY_CHANGED, incident, actor, previous=previous, priority=level.value)
    return incident


@transaction.atomic
def change_type(
    actor: User, incident: Incident, type: str, reason: str, *, expected_version: int | None = None
) -> Incident:
    """A security incident or data breach becomes restricted the moment it is recognised as one."""
    try:
        new_type = IncidentType.parse(type)
    except ValueError as error:
        raise ValidationError({"type": str(error)}) from None
    if not reason.strip():
        raise ValidationError({"reason": "Say why the type is changing"})
    incident = _lock(actor, incident, expected_version)
    previous = incident.type_enum
    if previous is new_type:
        return incident
    incident.type = new_type.value
    incident.restricted = incident.restricted or new_type.restricted
    _save(incident)
    text = f"Type changed from {previous.label} to {new_type.label}: {reason.strip()}"
    _record(incident, actor, EntryKind.NOTE, text, previous=previous.value, type=new_type.value)
    _publish(events.TYPE_CHANGED, incident, actor, previous=previous.value, type=new_type.value)
    return incident


@transaction.atomic
def restrict(actor: User, incident: Incident, reason: str) -> Incident:
    """Limits the incident to its team, security and admins from now on (a breach found mid-incident)."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why the incident is being restricted"})
    incident = _lock(actor, incident, None)
    if incident.restricted:
        return incident
    incident.restricted = True
    _save(incident)
    _record(incident, actor, EntryKind.NOTE, f"Restricted: {reason.strip()}")
    return incident


@transaction.atomic
def change_status(
    actor: User, incident: Incident, status: str, note: str = "", *, expected_version: int | None = None
) -> Incident:
    """Moves along the transition table. Resolving, reopening and closing have their own functions."""
    try:
        wanted = Status.parse(status)
    except ValueError as error:
        raise ValidationError({"status": str(error)}) from None
    if wanted is Status.RESOLVED:
        return resolve(actor, incident, note, expected_version=expected_version)
    if wanted is Status.CLOSED:
        return close(actor, incident, expected_version=expected_version)
    incident = _lock(actor, incident, expected_version)
    current = incident.status_enum
    if current is Status.RESOLVED and wanted is Status.INVESTIGATING:
        return reopen(actor, incident, note)
    _check(current, wanted)
    incident.status = wanted.value
    if wanted is Status.MONITORING:
        incident.mitigated_at = incident.mitigated_at or timezone.now()
    _save(incident)
    text = f"Status changed from {current} to {wanted}" + (f": {note.strip()}" if note.strip() else "")
    _record(incident, actor, EntryKind.STATUS, text, previous=current.value, status=wanted.value)
    _publish(events.STATUS_CHANGED, incident, actor, previous=current.value, status=wanted.value)
    return incident


def _check(current: Status, wanted: Status) -> None:
    try:
        check_transition(current, wanted)
    except TransitionNotAllowed as error:
        raise ValidationError({"status": str(error)}) from None


@transaction.atomic
def resolve(actor: User, incident: Incident, summary: str, *, expected_version: int | None = None) -> Incident:
    if not summary.strip():
        raise ValidationError({"summary": "Say how the incident was resolved"})
    incident = _lock(actor, incident, expected_version)
    _check(incident.status_enum, Status.RESOLVED)
    events.check_resolve(incident)
    incident.status = Status.RESOLVED.value
    incident.resolved_at = timezone.now()
    # Resolved without passing through monitoring: the fix was the mitigation.
    incident.mitigated_at = incident.mitigated_at or incident.resolved_at
    incident.summary = summary.strip()
    clocks.recompute(incident)
    _save(incident)
    _record(incident, actor, EntryKind.RESOLVED, f"Resolved: {incident.summary}")
    _publish(events.RESOLVED, incident, actor)
    return incident


@transaction.atomic
def reopen(actor: User, incident: Incident, reason: str, *, expected_version: int | None = None) -> Incident:
    """Back to investigating; the next update is due one interval after reopening."""
    if not reason.strip():
        raise ValidationError({"note": "Say why the incident is being reopened"})
    incident = _lock(actor, incident, expected_version)
    if incident.status_enum is not Status.RESOLVED:
        raise ValidationError({"status": f"{incident.reference} is not resolved, so cannot be reopened"})
    incident.status = Status.INVESTIGATING.value
    incident.reopened_at = timezone.now()
    incident.resolved_at = None
    clocks.recompute(incident)
    _save(incident)
    _record(incident, actor, EntryKind.REOPENED, f"Reopened: {reason.strip()}")
    _publish(events.REOPENED, incident, actor)
    return incident


@transaction.atomic
def close(actor: User, incident: Incident, *, expected_version: int | None = None) -> Incident:
    """An admin closes a resolved incident once every close guard (the review gate) agrees."""
    _require(has_role(actor, Role.ADMIN), "Only admins can close incidents")
    incident = _lock(actor, incident, expected_version)
    _check(incident.status_enum, Status.CLOSED)
    events.check_close(incident)
    incident.status = Status.CLOSED.value
    incident.closed_at = timezone.now()
    _save(incident)
    _record(incident, actor, EntryKind.CLOSED, "Closed")
    _publish(events.CLOSED, incident, actor)
    return incident


@transaction.atomic
def tick_step(
    actor: User, incident: Incident, step: str, note: str = "", *, expected_version: int | None = None
) -> Incident:
    """A person ticks a GDS step by hand, for what happened outside Watchkeeper."""
    try:
        wanted = Step(step)
    except ValueError:
        raise ValidationError({"step": f"unknown step {step!r}"}) from None
    incident = _lock(actor, incident, expected_version)
    if tick(incident, wanted, actor, automatic=False, note=note):
        _record(incident, actor, EntryKind.CHECKLIST, f"Ticked step {wanted.number}: {wanted.label}", step=step)
    return incident


@transaction.atomic
def record_from_system(incident: Incident, text: str, **data: object) -> TimelineEntry:
    """A note written by Watchkeeper itself (an alert firing or resolving, a change event), with no author."""
    if not text.strip():
        raise ValidationError({"text": "Enter the note"})
    return timeline.record(incident, EntryKind.NOTE, text.strip(), data=data)

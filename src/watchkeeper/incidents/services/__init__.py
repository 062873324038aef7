"""The only functions that change incidents.

Each one checks permission, locks the incident row, validates, saves, appends to the timeline,
ticks the checklist and publishes an event, all in one transaction. Views, the API, the CLI and
Slack call these and nothing else.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from watchkeeper import bounds
from watchkeeper.accounts.roles import Role, can_act, has_role
from watchkeeper.catalogue.models import Service
from watchkeeper.domain.priority import Priority
from watchkeeper.domain.workflow import IncidentType, Status, Step, TransitionNotAllowed, check_transition
from watchkeeper.incidents import clocks, events
from watchkeeper.incidents.models import EntryKind, Incident, Responder, TimelineEntry
from watchkeeper.incidents.services import timeline
from watchkeeper.incidents.services.checklist import tick
from watchkeeper.incidents.services.references import next_reference
from watchkeeper.incidents.visibility import can_act_on

NOTE_KINDS = {EntryKind.NOTE.value, EntryKind.ACTION.value, EntryKind.DECISION.value}
# Marks an update the status page already carries, so it is not copied there again.
STATUS_PAGE = "status_page"
ROLE_FIELDS = {"incident_lead": "incident lead", "comms_lead": "comms lead", "technical_lead": "technical lead"}


class Conflict(Exception):
    """Someone else changed the incident since the caller last read it."""


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise PermissionDenied(message)


def _lock(actor: User, incident: Incident, expected_version: int | None) -> Incident:
    """Re-reads the incident under a row lock, so two people acting at once never lose a change."""
    _require(can_act_on(actor, incident), "You cannot act on this incident")
    locked = Incident.objects.select_for_update().select_related("service").get(pk=incident.pk)
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            f"{locked.reference} was changed by someone else while you were editing. Check the latest and try again."
        )
    return locked


def _save(incident: Incident) -> Incident:
    incident.version += 1
    incident.full_clean(exclude=["idempotency_key"])
    incident.save()
    return incident


def _record(
    incident: Incident, actor: User | None, kind: str, text: str, *, public: bool = False, **data: object
) -> TimelineEntry:
    return timeline.record(incident, kind, text, author=actor, public=public, data=data)


def _publish(name: str, incident: Incident, actor: User | None, **data: object) -> None:
    events.publish(events.IncidentEvent(name, incident.pk, actor.pk if actor else None, dict(data)))


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
    reported_at = reported_at or now
    if timezone.is_naive(reported_at):
        errors["reported_at"] = "Give the time with a UTC offset"
    elif reported_at > now:
        errors["reported_at"] = "When it was first noticed must be now or in the past"
    elif problem := bounds.out_of_range(reported_at):
        errors["reported_at"] = problem
    if errors:
        raise ValidationError(errors)

    incident = Incident(
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
    clocks.recompute(incident)
    try:
        with transaction.atomic():
            _save(incident)
    except IntegrityError:
        # A double submit raced us past the check above: the first one won.
        if idempotency_key:
            return Incident.objects.get(idempotency_key=idempotency_key)
        raise
    _record(
        incident,
        actor,
        EntryKind.DECLARED,
        f"Declared as {level.value} ({incident_type.label}): {incident.title}",
        priority=level.value,
        type=incident_type.value,
    )
    if priority:
        tick(incident, Step.PRIORITISED, actor)
    if take_lead:
        # Before the declared event, so its messages name the lead; the declaration itself announces it.
        assign_role(actor, incident, "incident_lead", actor, announce=False)
        incident.refresh_from_db()
    _publish(events.DECLARED, incident, actor)
    return incident


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
    incident = _lock(actor, incident, expected_version)
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
    _save(incident)
    _record(incident, actor, EntryKind.ROLE, text, role=role, user=user.get_username() if user else None)
    if incident.incident_lead_id and incident.comms_lead_id:
        tick(incident, Step.RESPONSE_TEAM_FORMED, actor)
    if announce:
        _publish(events.ROLE_CHANGED, incident, actor, role=role)
    return incident


@transaction.atomic
def join(actor: User, incident: Incident, user: User | None = None, *, expected_version: int | None = None) -> Incident:
    """Adds someone (the actor by default) to the response team."""
    user = user or actor
    incident = _lock(actor, incident, expected_version)
    if not can_act(user):
        raise ValidationError({"username": f"{user.get_username()} is not a responder"})
    if not incident.responders.filter(user=user, left_at__isnull=True).exists():
        Responder.objects.create(incident=incident, user=user, joined_at=timezone.now())
        _record(incident, actor, EntryKind.ROLE, f"{user.get_username()} joined the response team")
    return incident


@transaction.atomic
def leave(
    actor: User, incident: Incident, user: User | None = None, *, expected_version: int | None = None
) -> Incident:
    user = user or actor
    incident = _lock(actor, incident, expected_version)
    if incident.responders.filter(user=user, left_at__isnull=True).update(left_at=timezone.now()):
        _record(incident, actor, EntryKind.ROLE, f"{user.get_username()} left the response team")
    return incident


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
def post_update(
    actor: User,
    incident: Incident,
    body: str,
    *,
    public: bool = False,
    expected_version: int | None = None,
    confirm_restricted: bool = False,
) -> TimelineEntry:
    """A stakeholder update: it resets the next-update clock as the priority's policy says."""
    if not body.strip():
        raise ValidationError({"body": "Enter the update"})
    incident = _lock(actor, incident, expected_version)
    if public:
        _check_public_allowed(actor, incident, confirm_restricted)
    if not incident.is_open:
        raise ValidationError({"body": f"{incident.reference} is {incident.status}: reopen it to post updates"})
    late = _update_given(incident)
    entry = _record(incident, actor, EntryKind.UPDATE, body.strip(), public=public, late=late)
    tick(incident, Step.INVESTIGATING_WITH_REPORT, actor)
    _publish(
        events.UPDATED, incident, actor, entry_id=entry.pk, public=public, confirmed=public and incident.restricted
    )
    return entry


def _update_given(incident: Incident) -> bool:
    """An update was given now: the update clock restarts from it. Returns whether it came after it was due."""
    now = timezone.now()
    late = incident.next_update_due is not None and now > incident.next_update_due
    incident.last_update_at = now
    if late:
        incident.updates_late += 1
    clocks.recompute(incident)
    _save(incident)
    return late


def _check_public_allowed(actor: User, incident: Incident, confirm_restricted: bool) -> None:
    """A restricted incident says nothing in public without an admin's explicit decision, as publishing it needs:
    an incident restricted after it was published must not keep feeding the status page and its subscribers."""
    if not incident.restricted:
        return
    if not confirm_restricted:
        raise ValidationError(
            {"public": f"{incident.reference} is restricted: a public update needs an admin to confirm it"}
        )
    _require(has_role(actor, Role.ADMIN), "Only an admin can confirm a public update on a restricted incident")


@transaction.atomic
def record_status_page_post(
    actor: User | None, incident: Incident, text: str, *, reset_clock: bool = True
) -> TimelineEntry:
    """A post the status page made for this incident: on its timeline, and like a stakeholder update it resets
    the update clock (a backfill, dated in the past, does not). The status page checked who may publish;
    ``via`` tells it not to copy this back."""
    incident = Incident.objects.select_for_update().select_related("service").get(pk=incident.pk)
    late = _update_given(incident) if incident.is_open and reset_clock else False
    entry = _record(incident, actor, EntryKind.UPDATE, text.strip(), public=True, late=late, via=STATUS_PAGE)
    _publish(events.UPDATED, incident, actor, entry_id=entry.pk, public=True, via=STATUS_PAGE)
    return entry


@transaction.atomic
def add_note(
    actor: User,
    incident: Incident,
    body: str,
    kind: str = EntryKind.NOTE.value,
    *,
    expected_version: int | None = None,
) -> TimelineEntry:
    """A note, action or decision on the timeline: the living record of the investigation."""
    if kind not in NOTE_KINDS:
        raise ValidationError({"kind": f"unknown kind {kind!r}: use note, action or decision"})
    if not body.strip():
        raise ValidationError({"body": f"Enter the {kind}"})
    incident = _lock(actor, incident, expected_version)
    entry = _record(incident, actor, kind, body.strip())
    tick(incident, Step.INVESTIGATING_WITH_REPORT, actor)
    return entry


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

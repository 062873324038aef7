"""The only functions that change reports, reviews, actions and report templates.

Each checks permission, validates, saves and notes the change on the incident's timeline in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from watchkeeper import bounds
from watchkeeper.accounts.roles import can_act, is_admin
from watchkeeper.catalogue.models import Team
from watchkeeper.catalogue.queries import calendar_for
from watchkeeper.domain.workflow import Step
from watchkeeper.incidents import events
from watchkeeper.incidents.models import EntryKind, Incident
from watchkeeper.incidents.services import Conflict, timeline
from watchkeeper.incidents.services.checklist import tick
from watchkeeper.incidents.visibility import can_act_on, can_see
from watchkeeper.reviews import scheduling, tasks
from watchkeeper.reviews.content import REVIEW_QUESTIONS, Section, sections_from
from watchkeeper.reviews.models import Action, ActionStatus, Report, ReportTemplate, Review, RootCause

CLOSE_REFUSED = "Record the review or have an admin waive it before closing"
MAX_ACTION_DAYS = 260  # a working year: anything later is a wish, not an action


def _require_actor(actor: User, incident: Incident) -> Incident:
    """Checks permission and re-reads the incident, so a caller's stale copy never decides status or restriction."""
    if not can_act_on(actor, incident):
        raise PermissionDenied("You cannot change the report or review of this incident")
    return Incident.objects.select_related("service").get(pk=incident.pk)


def _note(incident: Incident, actor: User | None, text: str, **data: object) -> None:
    timeline.record(incident, EntryKind.NOTE, text, author=actor, data={"reviews": data})


def _check_version(current: int, expected: int | None, what: str) -> None:
    if expected is not None and current != expected:
        raise Conflict(
            f"The {what} was changed by someone else while you were editing. Check the latest and try again."
        )


# Report -------------------------------------------------------------------------------------------------------------


def template_sections(incident: Incident) -> tuple[Section, ...]:
    template = ReportTemplate.objects.filter(team_id=incident.service.team_id).first()
    return sections_from(template.sections if template else None)


def ensure_report(incident: Incident) -> Report:
    report, _ = Report.objects.get_or_create(incident=incident, defaults={"updated_at": timezone.now()})
    return report


@transaction.atomic
def update_report(
    actor: User,
    incident: Incident,
    *,
    sections: Mapping[str, str] | None = None,
    public_text: str | None = None,
    publishable: bool | None = None,
    expected_version: int | None = None,
) -> Report:
    """Saves the written sections and the public version; publishing is refused for restricted incidents."""
    incident = _require_actor(actor, incident)
    ensure_report(incident)
    report = Report.objects.select_for_update().get(incident=incident)
    _check_version(report.version, expected_version, "report")
    errors: dict[str, str] = {}
    if sections is not None:
        known = {section.key for section in template_sections(incident)}
        unknown = sorted(set(sections) - known)
        if unknown:
            errors["sections"] = f"unknown sections {', '.join(unknown)}: use {', '.join(sorted(known))}"
        report.sections = {**report.sections, **{k: str(v).strip() for k, v in sections.items() if k in known}}
    if public_text is not None:
        report.public_text = public_text.strip()
    was_publishable = report.publishable
    if publishable is not None:
        if publishable and incident.restricted:
            errors["publishable"] = "A restricted incident's report cannot be published"
        elif publishable and not report.public_text:
            errors["public_text"] = "Write the public version before marking it publishable"
        if publishable and not report.publishable:
            report.published_at, report.published_by = timezone.now(), actor
        elif not publishable:
            report.published_at, report.published_by = None, None
        report.publishable = publishable
    if errors:
        raise ValidationError(errors)
    report.updated_at, report.updated_by = timezone.now(), actor
    report.version += 1
    report.save()
    # Edits to the text are frequent and live in the report; only the decision to publish belongs on the timeline.
    if report.publishable != was_publishable:
        verb = "marked publishable" if report.publishable else "withdrawn from publication"
        _note(incident, actor, f"Public version of the report {verb}")
    if report.publishable or was_publishable:
        # The status page shows the public version: it re-renders in this transaction's wake.
        events.publish(events.IncidentEvent(events.REPORT_CHANGED, incident.pk, actor.pk))
    return report


@transaction.atomic
def set_template(actor: User, team: Team, sections: Iterable[Mapping[str, Any]]) -> ReportTemplate:
    """A team's own headings and guidance; keys must be unique so stored report text keeps its place."""
    if not is_admin(actor):
        raise PermissionDenied("Only admins can change a team's report template")
    cleaned = []
    keys: set[str] = set()
    for number, item in enumerate(sections, start=1):
        key = str(item.get("key", "")).strip()
        heading = str(item.get("heading", "")).strip()
        if not key or not heading:
            raise ValidationError({"sections": f"Section {number} needs a key and a heading"})
        if key in keys:
            raise ValidationError({"sections": f"Section {number} repeats the key {key!r}"})
        keys.add(key)
        cleaned.append({"key": key, "heading": heading, "guidance": str(item.get("guidance", "")).strip()})
    if not cleaned:
        raise ValidationError({"sections": "A template needs at least one section"})
    template, _ = ReportTemplate.objects.update_or_create(
        team=team, defaults={"sections": cleaned, "updated_at": timezone.now(), "updated_by": actor}
    )
    return template


# Review -------------------------------------------------------------------------------------------------------------


def ensure_review(incident: Incident) -> Review:
    review, _ = Review.objects.get_or_create(incident=incident)
    return review


def add_past_review(
    incident: Incident,
    *,
    root_cause_category: str = "",
    held_at: datetime | None = None,
    recorded_at: datetime | None = None,
    proposed_for: datetime | None = None,
    waived_at: datetime | None = None,
    waiver_reason: str = "",
) -> Review:
    """The review of an imported past incident, as its register row gives it: held, proposed or waived."""
    return Review.objects.create(
        incident=incident,
        root_cause_category=root_cause_category,
        held_at=held_at,
        recorded_at=recorded_at,
        proposed_for=proposed_for,
        waived_at=waived_at,
        waiver_reason=waiver_reason,
    )


def _team_of(incident: Incident) -> list[User]:
    people = [incident.incident_lead, incident.comms_lead, incident.technical_lead]
    people += [responder.user for responder in incident.responders.filter(left_at__isnull=True).select_related("user")]
    return list({person.pk: person for person in people if person is not None}.values())


@transaction.atomic
def propose_review(incident: Incident, actor: User | None = None) -> Review:
    """On resolution: a date within the window on the service's calendar, and the response team invited."""
    review = Review.objects.select_for_update().get(pk=ensure_review(incident).pk)
    if review.is_recorded or review.is_waived or incident.resolved_at is None:
        return review
    proposal = scheduling.propose(
        calendar_for(incident.service),
        incident.resolved_at,
        scheduling.review_window_days(),
        scheduling.review_meeting_time(),
    )
    review.proposed_for, review.due_by = proposal.proposed_for, proposal.due_by
    review.version += 1
    review.save()
    review.invitees.add(*_team_of(incident))
    _note(incident, actor, f"Review proposed for {timezone.localtime(proposal.proposed_for):%a %-d %b %Y %H:%M}")
    tasks.schedule_review(review)
    return review


@transaction.atomic
def schedule_review(
    actor: User, incident: Incident, *, proposed_for: datetime, invitees: Iterable[User] | None = None
) -> Review:
    incident = _require_actor(actor, incident)
    if timezone.is_naive(proposed_for):
        raise ValidationError({"proposed_for": "Give the time with a UTC offset"})
    chosen = list(invitees) if invitees is not None else None
    if blind := [person.get_username() for person in chosen or [] if not can_see(person, incident)]:
        # The invitation names the incident: nobody who may not see it is sent one.
        raise ValidationError({"invitees": f"{', '.join(blind)} cannot see {incident.reference}, so cannot be invited"})
    if problem := bounds.out_of_range(proposed_for):
        raise ValidationError({"proposed_for": problem})
    review = Review.objects.select_for_update().get(pk=ensure_review(incident).pk)
    review.proposed_for = proposed_for
    review.version += 1
    review.save()
    if chosen is not None:
        review.invitees.set(chosen)
    _note(incident, actor, f"Review planned for {timezone.localtime(proposed_for):%a %-d %b %Y %H:%M}")
    tasks.schedule_review(review)
    return review


RECORD_FIELDS = (
    "held_at",
    "attendance",
    "root_cause",
    "root_cause_category",
    *(question.field for question in REVIEW_QUESTIONS),
)


@transaction.atomic
def record_review(actor: User, incident: Incident, *, expected_version: int | None = None, **record: Any) -> Review:
    """Records the review; the first recording ticks GDS step 7 and lets the incident close."""
    incident = _require_actor(actor, incident)
    unknown = sorted(set(record) - set(RECORD_FIELDS))
    if unknown:
        raise ValidationError({name: "not part of a review record" for name in unknown})
    review = Review.objects.select_for_update().get(pk=ensure_review(incident).pk)
    _check_version(review.version, expected_version, "review")
    errors = _review_errors(incident, record)
    if errors:
        raise ValidationError(errors)
    for name, value in record.items():
        setattr(review, name, value.strip() if isinstance(value, str) else value)
    first = not review.is_recorded
    review.recorded_at, review.recorded_by = timezone.now(), actor
    review.version += 1
    review.save()
    if first:
        tick(incident, Step.RESOLVED_AND_REVIEWED, actor)
    _note(incident, actor, "Review recorded" if first else "Review record changed", review_version=review.version)
    return review


def _review_errors(incident: Incident, record: Mapping[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    held_at = record.get("held_at")
    if not isinstance(held_at, datetime):
        errors["held_at"] = "Enter when the review was held"
    elif timezone.is_naive(held_at):
        errors["held_at"] = "Give the time with a UTC offset"
    elif problem := bounds.out_of_range(held_at):
        errors["held_at"] = problem
    elif held_at > timezone.now():
        errors["held_at"] = "Record a review once it has been held: the time must be now or in the past"
    elif held_at < incident.declared_at:
        errors["held_at"] = "The review cannot be held before the incident was declared"
    if not str(record.get("attendance", "")).strip():
        errors["attendance"] = "Enter who attended"
    if not str(record.get("root_cause", "")).strip():
        errors["root_cause"] = "Describe the root cause in plain language"
    if record.get("root_cause_category") not in RootCause.values:
        errors["root_cause_category"] = "Select the root-cause category"
    if incident.is_open:
        errors["__all__"] = f"{incident.reference} is {incident.status}: resolve it before recording the review"
    return errors


@transaction.atomic
def waive_review(actor: User, incident: Incident, reason: str) -> Review:
    """An admin lets an incident close without a review, with the reason on the record."""
    if not is_admin(actor):
        raise PermissionDenied("Only admins can waive a review")
    if not reason.strip():
        raise ValidationError({"reason": "Say why this incident needs no review"})
    review = Review.objects.select_for_update().get(pk=ensure_review(incident).pk)
    review.waived_at, review.waived_by, review.waiver_reason = timezone.now(), actor, reason.strip()
    review.version += 1
    review.save()
    tick(incident, Step.RESOLVED_AND_REVIEWED, actor, note=f"Review waived: {reason.strip()}")
    _note(incident, actor, f"Review waived: {reason.strip()}")
    return review


def review_gate(incident: Incident) -> None:
    """Close guard: an incident closes only once its review is recorded or waived."""
    review = Review.objects.filter(incident_id=incident.pk).first()
    if review is None or not (review.is_recorded or review.is_waived):
        raise ValidationError(CLOSE_REFUSED)


# Actions ------------------------------------------------------------------------------------------------------------


def _validate_action(*, title: str, owner: User | None, days: int | None, link: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = "Describe the action"
    if owner is None:
        errors["owner"] = "Name one person who owns the action"
    elif not owner.is_active:
        errors["owner"] = f"{owner.get_username()} is not an active user"
    if days is not None and not 1 <= days <= MAX_ACTION_DAYS:
        errors["due_in_business_days"] = f"Give a number of business days from 1 to {MAX_ACTION_DAYS}"
    if link:
        try:
            URLValidator(schemes=["http", "https"])(link)
        except ValidationError:
            errors["link"] = "Enter a link starting with https:// or http://"
    return errors


@transaction.atomic
def add_action(
    actor: User, incident: Incident, *, title: str, owner: User | None, due_in_business_days: int, link: str = ""
) -> Action:
    incident = _require_actor(actor, incident)
    errors = _validate_action(title=title, owner=owner, days=due_in_business_days, link=link.strip())
    if errors:
        raise ValidationError(errors)
    assert owner is not None  # checked above
    now = timezone.now()
    action = Action.objects.create(
        incident=incident,
        title=title.strip(),
        owner=owner,
        due_at=scheduling.action_due(calendar_for(incident.service), now, due_in_business_days),
        link=link.strip(),
        created_at=now,
        created_by=actor,
    )
    _note(incident, actor, f"Follow-up action for {owner.get_username()}: {action.title}", action=action.pk)
    tasks.schedule_action(action)
    return action


def can_change_action(actor: User, action: Action) -> bool:
    return (action.owner_id == actor.pk and can_act(actor)) or can_act_on(actor, action.incident)


@transaction.atomic
def update_action(
    actor: User,
    action: Action,
    *,
    title: str | None = None,
    owner: User | None = None,
    status: str | None = None,
    due_in_business_days: int | None = None,
    link: str | None = None,
) -> Action:
    """The owner or anyone on the incident changes an action; a new due date counts from today."""
    action = Action.objects.select_for_update().select_related("incident__service").get(pk=action.pk)
    if not can_change_action(actor, action):
        raise PermissionDenied("You cannot change this action")
    errors = _validate_action(
        title=action.title if title is None else title,
        owner=owner or action.owner,
        days=due_in_business_days,
        link=(action.link if link is None else link).strip(),
    )
    if status is not None and status not in ActionStatus.values:
        errors["status"] = f"unknown status {status!r}: use {', '.join(ActionStatus.values)}"
    if errors:
        raise ValidationError(errors)
    changes = []
    if title is not None:
        action.title = title.strip()
    if owner is not None and owner.pk != action.owner_id:
        action.owner = owner
        changes.append(f"owner {owner.get_username()}")
    if due_in_business_days is not None:
        action.due_at = scheduling.action_due(
            calendar_for(action.incident.service), timezone.now(), due_in_business_days
        )
        changes.append(f"due {timezone.localtime(action.due_at):%-d %b %Y}")
    if link is not None:
        action.link = link.strip()
    if status is not None and status != action.status:
        action.status = status
        action.finished_at = None if status == ActionStatus.OPEN else timezone.now()
        changes.append(ActionStatus(status).label.lower())
    action.save()
    if changes:
        _note(action.incident, actor, f"Follow-up action '{action.title}': {', '.join(changes)}", action=action.pk)
    if due_in_business_days is not None or status == ActionStatus.OPEN:
        # Reminders already queued for the old date or the old status stand down when they fire.
        tasks.schedule_action(action)
    return action

"""Email to action owners before and after an action falls due, and to review invitees: the invitation and a reminder.

Each is a task enqueued in the transaction that creates or changes the action or review, carrying what it was
scheduled for (the due date, the meeting time, the review's version). When it fires it checks again: a task whose
action or review has since changed, finished or been waived does nothing, so nothing ever needs cancelling. Each
sent email is noted on the incident's timeline, and that note is how a task that runs twice knows to send once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse

from watchkeeper.domain.office_time import OfficeCalendar, office_time_between
from watchkeeper.incidents.models import EntryKind, Incident, TimelineEntry
from watchkeeper.incidents.services import timeline
from watchkeeper.reviews import ics
from watchkeeper.reviews.models import Action, ActionStatus, Review

DUE_SOON = "due_soon"
OVERDUE = "overdue"
REVIEW_SOON = "review_soon"
INVITATION = "invitation"
CALENDAR_REQUEST = "text/calendar; method=REQUEST"


def one_business_day_before(calendar: OfficeCalendar, instant: datetime) -> datetime:
    """The latest time with a whole business day of office time still to go before ``instant``.

    Stepping back a calendar day at a time keeps the wall-clock time, so a Monday 10:30 deadline is reminded on the
    Friday at 10:30, never at the weekend.
    """
    earlier = instant
    for _ in range(14):  # the longest run of closed days a calendar allows (Christmas, closures) is well inside
        earlier -= timedelta(days=1)
        if office_time_between(calendar, earlier, instant) >= calendar.business_day:
            return earlier
    return earlier


# Firing, called by reviews.tasks ----------------------------------------------------------------------------------


def _already(incident: Incident, **about: object) -> bool:
    lookups = {f"data__reviews__{name}": value for name, value in about.items()}
    return TimelineEntry.objects.filter(incident=incident, kind=EntryKind.NOTIFICATION, **lookups).exists()


def _note(incident: Incident, text: str, **about: object) -> None:
    timeline.record(incident, EntryKind.NOTIFICATION, text, data={"reviews": about})


def _link(name: str, **kwargs: object) -> str:
    return settings.SITE_URL + reverse(name, kwargs=kwargs)


def _when(incident: Incident, instant: datetime) -> str:
    """In the service's own time zone, as its team reads the clock."""
    return f"{instant.astimezone(ZoneInfo(incident.service.timezone)):%H:%M on %A %-d %B %Y}"


def _names(people: Sequence[User]) -> str:
    return ", ".join(person.get_username() for person in people)


@transaction.atomic
def remind_action(action_id: int, stage: str, due_at: str) -> str:
    action = (
        Action.objects.select_for_update().select_related("incident__service", "owner").filter(pk=action_id).first()
    )
    if action is None:
        return "no action"
    due = datetime.fromisoformat(due_at)
    if action.status != ActionStatus.OPEN:
        return "finished"
    if action.due_at != due:
        return "superseded"
    incident, owner = action.incident, action.owner
    if _already(incident, reminder=stage, action=action.pk, due=due_at):
        return "already sent"
    # A restricted incident's details stay inside Watchkeeper: the email names only the reference.
    what = f"Your follow-up action on {incident.reference}"
    if not incident.restricted:
        what += f": {action.title}"
    state = f"is due at {_when(incident, due)}" if stage == DUE_SOON else f"was due at {_when(incident, due)}"
    if not owner.email:
        _note(
            incident,
            f"{owner.get_username()} has no email address, so was not reminded about '{action.title}'",
            reminder=stage,
            action=action.pk,
            due=due_at,
        )
        return "no address"
    body = (
        f"{what} {state}.\n\n"
        "Mark it done, or change its due date, here:\n"
        f"{_link('reviews:action', action_id=action.pk)}\n"
    )
    subject = f"[{incident.reference}] Follow-up action {'due soon' if stage == DUE_SOON else 'overdue'}"
    EmailMessage(subject=subject, body=body, to=[owner.email]).send()
    label = "due soon" if stage == DUE_SOON else "overdue"
    _note(
        incident,
        f"Reminder emailed to {owner.get_username()}: action '{action.title}' {label}",
        reminder=stage,
        action=action.pk,
        due=due_at,
    )
    return "sent"


def _recipients(review: Review) -> list[User]:
    """Invitees who can still see the incident: someone outside a restricted incident, or a responder who has left
    it, is never told about it, whoever named them."""
    return ics.invitees(review)


def _still_on(review: Review | None) -> bool:
    return review is not None and review.proposed_for is not None and not (review.is_recorded or review.is_waived)


@transaction.atomic
def invite(review_id: int, version: int) -> str:
    """The calendar invitation (METHOD:REQUEST), so a mail client offers to accept it; a later change sends its own."""
    review = Review.objects.select_for_update().select_related("incident__service").filter(pk=review_id).first()
    if review is None or not _still_on(review):
        return "not planned"
    if review.version != version:
        return "superseded"
    incident = review.incident
    if _already(incident, invitation=version, review=review.pk):
        return "already sent"
    people = _recipients(review)
    if not people:
        return "nobody to invite"
    assert review.proposed_for is not None  # checked by _still_on
    message = EmailMessage(
        subject=f"Invitation: incident review for {incident.reference} at {_when(incident, review.proposed_for)}",
        body=(
            f"You are invited to the blameless review of {incident.reference}.\n\n"
            "Read the incident report before the meeting:\n"
            f"{_link('reviews:report', reference=incident.reference)}\n"
        ),
        to=[person.email for person in people],
    )
    message.attach(f"{incident.reference}-review.ics", ics.invitation(review, method="REQUEST"), CALENDAR_REQUEST)
    message.send()
    _note(incident, f"Review invitation emailed to {_names(people)}", invitation=version, review=review.pk)
    return "sent"


@transaction.atomic
def remind_review(review_id: int, proposed_for: str) -> str:
    review = Review.objects.select_for_update().select_related("incident__service").filter(pk=review_id).first()
    if review is None or not _still_on(review):
        return "not planned"
    planned = datetime.fromisoformat(proposed_for)
    if review.proposed_for != planned:
        return "superseded"
    incident = review.incident
    if _already(incident, reminder=REVIEW_SOON, review=review.pk, at=proposed_for):
        return "already sent"
    people = _recipients(review)
    if not people:
        return "nobody to remind"
    EmailMessage(
        subject=f"Reminder: incident review for {incident.reference} at {_when(incident, planned)}",
        body=(
            f"The blameless review of {incident.reference} is at {_when(incident, planned)}.\n\n"
            "Read the incident report before the meeting:\n"
            f"{_link('reviews:report', reference=incident.reference)}\n"
        ),
        to=[person.email for person in people],
    ).send()
    _note(
        incident,
        f"Review reminder emailed to {_names(people)}",
        reminder=REVIEW_SOON,
        review=review.pk,
        at=proposed_for,
    )
    return "sent"

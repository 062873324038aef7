"""Deferred email about actions and reviews, and the one place that enqueues it: reviews.services calls the
schedule functions inside its transactions; the checks and the sending live in reviews.reminders."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from watchkeeper.catalogue.queries import calendar_for
from watchkeeper.reviews import reminders
from watchkeeper.reviews.models import Action, ActionStatus, Review


@task()
def remind_action(action_id: int, stage: str, due_at: str) -> str:
    return reminders.remind_action(action_id, stage, due_at)


@task()
def invite_to_review(review_id: int, version: int) -> str:
    return reminders.invite(review_id, version)


@task()
def remind_review(review_id: int, proposed_for: str) -> str:
    return reminders.remind_review(review_id, proposed_for)


def schedule_action(action: Action) -> None:
    if action.status != ActionStatus.OPEN:
        return
    now, due = timezone.now(), action.due_at
    before = reminders.one_business_day_before(calendar_for(action.incident.service), due)
    for stage, at in ((reminders.DUE_SOON, before), (reminders.OVERDUE, due)):
        if at > now:
            remind_action.using(run_after=at).enqueue(action.pk, stage, due.isoformat())


def schedule_review(review: Review) -> None:
    """The invitation now, for the new date, and a reminder one business day before the meeting."""
    if review.proposed_for is None or review.is_recorded or review.is_waived:
        return
    invite_to_review.enqueue(review.pk, review.version)
    before = reminders.one_business_day_before(calendar_for(review.incident.service), review.proposed_for)
    if before > timezone.now():
        remind_review.using(run_after=before).enqueue(review.pk, review.proposed_for.isoformat())

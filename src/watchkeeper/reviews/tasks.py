"""Deferred email about actions and reviews; the checks and the sending live in reviews.reminders."""

from __future__ import annotations

from django_tasks import task

from watchkeeper.reviews import reminders


@task()
def remind_action(action_id: int, stage: str, due_at: str) -> str:
    return reminders.remind_action(action_id, stage, due_at)


@task()
def invite_to_review(review_id: int, version: int) -> str:
    return reminders.invite(review_id, version)


@task()
def remind_review(review_id: int, proposed_for: str) -> str:
    return reminders.remind_review(review_id, proposed_for)

"""Background tasks: one per delivery attempt and one per reminder, each enqueued inside the change that caused it."""

from __future__ import annotations

from django_tasks import task

from watchkeeper.notifications import delivery, reminders


@task()
def deliver(delivery_id: int, attempt: int) -> None:
    delivery.attempt(delivery_id, attempt)


@task()
def remind(incident_id: int, stage: str, due: str) -> None:
    reminders.fire(incident_id, stage, due)

"""Background tasks: sending one page notification, and an escalation step's timer."""

from __future__ import annotations

from django_tasks import task

from watchkeeper.oncall import escalation, sending


@task()
def send_notification(notification_id: int, attempt: int) -> None:
    sending.attempt(notification_id, attempt)


@task()
def escalate(page_id: int, step_index: int, cycle: int) -> None:
    escalation.fire(page_id, step_index, cycle)

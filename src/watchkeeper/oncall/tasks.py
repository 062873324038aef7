"""Background tasks: notifying a page made by alert intake, sending one page notification, a step's timer."""

from __future__ import annotations

import logging

from django_tasks import task

from watchkeeper.oncall.services import coverage, escalation, sending


@task()
def start_page(page_id: int) -> None:
    escalation.start(page_id)


@task()
def send_notification(notification_id: int, attempt: int) -> None:
    sending.attempt(notification_id, attempt)


@task()
def escalate(page_id: int, step_index: int, cycle: int) -> None:
    escalation.fire(page_id, step_index, cycle)


@task()
def reply_sms(number: str, text: str) -> None:
    """The answer to an inbound SMS; Notify refusals are logged, since there is nobody else to tell."""
    try:
        sending.reply_sms(number, text)
    except Exception:
        logging.getLogger(__name__).exception("could not reply to %s", number[-4:])


@task()
def nightly_check() -> int:
    return coverage.run()

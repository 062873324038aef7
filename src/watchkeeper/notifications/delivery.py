"""Sending one delivery: claim it, send it outside any transaction, record what happened.

A delivery recorded as sent is never sent again. Each attempt is a task; claiming one also schedules a
check at the end of its lease, so an attempt whose worker died mid-send is retried without any polling. Once the
attempt's outcome is recorded that check has nothing to do, so it is taken off the queue in the same transaction.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from watchkeeper import task_outcome
from watchkeeper.database import persist
from watchkeeper.domain.workflow import Step
from watchkeeper.incidents import events
from watchkeeper.incidents.models import EntryKind
from watchkeeper.incidents.services import timeline
from watchkeeper.incidents.services.checklist import tick
from watchkeeper.notifications import routing, sealing, services
from watchkeeper.notifications.channels import Outgoing, Permanent, Sent, Transient, scrub
from watchkeeper.notifications.channels.registry import transport_for
from watchkeeper.notifications.models import Audience, Channel, Delivery, Status, Thread

# The gap between two messages on one channel: Slack allows about one a second per channel, Notify 3,000 a minute.
SPACING = {
    "slack": timedelta(seconds=1),
    "notify_email": timedelta(milliseconds=20),
    "notify_sms": timedelta(milliseconds=20),
}
TICKS = {Audience.TEAM: Step.TEAM_INFORMED, Audience.WIDER: Step.WIDER_AUDIENCE_TOLD}


def _config(name: str) -> float:
    return float(settings.NOTIFICATIONS[name])


def enqueue(delivery_id: int, attempt: int, at: datetime | None = None) -> str:
    return events.enqueue("notifications.deliver", delivery_id, attempt, run_after=at)


def _drop_lease_check(task_id: str) -> None:
    """The lease check of an attempt whose outcome is recorded would only find it done: spare a worker the visit."""
    # The backend itself, not the default_task_backend proxy, which is never an instance of it.
    if isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend):
        DBTaskResult.objects.filter(pk=task_id, status="READY").delete()


def backoff(attempt: int, retry_after: float | None) -> timedelta:
    """Exponential with jitter, so retries from many deliveries do not arrive together; never before Retry-After."""
    ceiling = min(_config("BACKOFF_MAX_SECONDS"), _config("BACKOFF_SECONDS") * 2 ** (attempt - 1))
    delay = random.uniform(ceiling / 2, ceiling)  # jitter, not security
    return timedelta(seconds=max(delay, retry_after or 0.0))


def attempt(delivery_id: int, number: int) -> None:
    claimed = _claim(delivery_id, number)
    if claimed is None:
        return
    row, outgoing, lease_check = claimed
    # A transport's exception may quote the URL it called, and for Slack and Teams webhooks that URL is the
    # credential: the text is scrubbed here, before it is stored, put on the timeline or sent to the comms lead.
    # Once sent, the outcome is recorded even across a database restart: a message is not sent again for want of it.
    try:
        sent = transport_for(row.kind).send(outgoing)
    except Transient as error:
        message, retry_after = scrub(str(error), outgoing.secret), error.retry_after
        persist(lambda: _failed(row, lease_check, message, retryable=True, retry_after=retry_after))
    except Permanent as error:
        message = scrub(str(error), outgoing.secret)
        persist(lambda: _failed(row, lease_check, message, retryable=False))
    else:
        persist(lambda: _succeeded(row, lease_check, sent))


def _claim(delivery_id: int, number: int) -> tuple[Delivery, Outgoing, str] | None:
    """Takes the delivery for this attempt; returns it, the message and the id of the lease check it scheduled."""
    with transaction.atomic():
        # The channel comes in the same query: the message needs it. Only the delivery's row is locked. A plain
        # get: first() would order by the primary key for the one row a primary key finds.
        try:
            row = Delivery.objects.select_for_update(of=("self",)).select_related("channel").get(pk=delivery_id)
        except Delivery.DoesNotExist:
            return None
        if row.status in {Status.SENT, Status.FAILED}:
            return None
        now = timezone.now()
        if row.status == Status.SENDING:
            lease_over = row.claimed_at is None or row.claimed_at + timedelta(seconds=_config("LEASE_SECONDS")) <= now
            if row.attempts != number or not lease_over:
                return None
            # This is the lease check of an attempt whose worker never reported back: it died mid-send.
            row.last_error = f"attempt {number} was interrupted"
            number += 1
            if number > _config("MAX_ATTEMPTS"):
                _give_up(row, now)
                return None
        elif row.attempts != number - 1:
            return None  # a stale retry or lease check for an attempt that already finished
        if _wait_for_slot(row, number, now):
            return None
        # One UPDATE of the locked row; save() would spend as long again on its signals and field bookkeeping.
        sending = {"status": Status.SENDING, "attempts": number, "claimed_at": now, "not_before": None}
        Delivery.objects.filter(pk=row.pk).update(last_error=row.last_error, **sending)
        for name, value in sending.items():
            setattr(row, name, value)
        lease_check = enqueue(row.pk, number, now + timedelta(seconds=_config("LEASE_SECONDS")))
        try:
            outgoing = _outgoing(row)
        except ImproperlyConfigured as error:
            _fail_now(row, str(error), now)
            return None
    return row, outgoing, lease_check


def _wait_for_slot(row: Delivery, number: int, now: datetime) -> bool:
    """Reserves the channel's next send slot; True when it is in the future and the attempt was deferred to it."""
    spacing = SPACING.get(row.kind)
    if spacing is None or row.channel_id is None:
        return False
    if row.not_before is not None:
        if row.not_before > now:
            enqueue(row.pk, number, row.not_before)
            return True
        return False
    channel = Channel.objects.select_for_update().get(pk=row.channel_id)
    slot = max(now, channel.next_slot_at or now)
    channel.next_slot_at = slot + spacing
    channel.save(update_fields=["next_slot_at"])
    if slot <= now:
        return False
    row.not_before = slot
    row.save(update_fields=["not_before"])
    enqueue(row.pk, number, slot)
    return True


def _outgoing(row: Delivery) -> Outgoing:
    channel = row.channel
    thread = None
    if channel is not None and channel.kind == "slack":
        found = Thread.objects.filter(incident_id=row.incident_id, channel=channel).first()
        thread = (found.conversation, found.ref) if found else None
    return Outgoing(
        key=row.key,
        event=row.event,
        kind=row.kind,
        recipient=row.recipient,
        payload=row.payload,
        secret=sealing.reveal(channel.secret) if channel else "",
        template_id=channel.template_id if channel else "",
        thread=thread,
        timeout=_config("SEND_TIMEOUT_SECONDS"),
    )


def _still_ours(row: Delivery, **changes: object) -> bool:
    """Records ``changes`` if this attempt still holds the delivery (one UPDATE, which also locks the row).

    Past its lease another attempt may have taken over; that one reports instead.
    """
    held = Delivery.objects.filter(pk=row.pk, status=Status.SENDING, attempts=row.attempts)
    if not held.update(**changes):
        return False
    for name, value in changes.items():
        setattr(row, name, value)
    return True


def describe(row: Delivery) -> str:
    return f"{row.channel.name} ({row.shown_recipient})" if row.channel else row.shown_recipient


def _timeline(row: Delivery, text: str, now: datetime) -> None:
    timeline.record(
        row.incident_id,
        EntryKind.NOTIFICATION,
        text,
        at=now,
        data={"delivery": row.pk, "event": row.event, "status": row.status, "channel": row.kind},
    )


@transaction.atomic
def _succeeded(row: Delivery, lease_check: str, sent: Sent) -> None:
    now = timezone.now()
    # This transaction is the attempt's last step, whatever it finds: the task's own record of success joins it.
    task_outcome.succeed_in_this_transaction(now)
    if not _still_ours(row, status=Status.SENT, sent_at=now, external_id=sent.external_id[:200]):
        return
    _drop_lease_check(lease_check)
    # Only a channel that is itself the conversation keeps a thread: an on-call channel's messages go to different
    # people's direct messages as the rota turns.
    if sent.thread and row.channel is not None and row.channel.kind == row.kind:
        Thread.objects.get_or_create(
            incident_id=row.incident_id,
            channel_id=row.channel_id,
            defaults={"conversation": sent.thread[0], "ref": sent.thread[1]},
        )
    _timeline(row, f"Sent to {describe(row)}: {row.payload['data']['headline']}", now)
    if step := TICKS.get(Audience(row.audience)) if row.audience else None:
        tick(row.incident, step, None)


@transaction.atomic
def _failed(row: Delivery, lease_check: str, error: str, *, retryable: bool, retry_after: float | None = None) -> None:
    now, number = timezone.now(), row.attempts
    task_outcome.succeed_in_this_transaction(now)  # the attempt ran its course: the failure is the delivery's
    if retryable and number < _config("MAX_ATTEMPTS"):
        if _still_ours(row, status=Status.PENDING, last_error=error[:2000]):
            _drop_lease_check(lease_check)
            enqueue(row.pk, number + 1, now + backoff(number, retry_after))
        return
    if _still_ours(row, last_error=error[:2000]):
        _drop_lease_check(lease_check)
        _fail_now(row, error, now)


def _fail_now(row: Delivery, error: str, now: datetime) -> None:
    row.last_error = error[:2000]
    _give_up(row, now)


def _give_up(row: Delivery, now: datetime) -> None:
    """Marks the delivery failed, puts it on the timeline and tells the comms lead another way."""
    row.status = Status.FAILED
    row.failed_at = now
    row.save(update_fields=["status", "failed_at", "last_error", "attempts"])
    _timeline(
        row,
        f"Could not send to {describe(row)} after {row.attempts} attempt(s): {row.last_error}",
        now,
    )
    if row.channel_id is None:
        return  # a message to a person: telling that person again the same way would fail the same way
    incident = row.incident
    person = incident.comms_lead or incident.incident_lead
    if person is None:
        return
    services.record_deliveries(
        incident,
        "delivery.failed",
        f"failed:{row.key}",
        [routing.person_target(person)],
        {"delivery": row.pk, "channel": describe(row), "error": row.last_error},
        text=f"Watchkeeper could not send {row.event} to {describe(row)}: {row.last_error}",
    )

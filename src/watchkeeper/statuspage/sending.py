"""Fan-out: one delivery row per (update, subscriber, medium, purpose), claimed before it is sent.

The unique row means planning twice never makes a second delivery; the claim (an UPDATE from pending to
sending that only one worker can win) means two workers never send the same one. A worker killed after
claiming leaves the row 'sending'; the sweep puts such rows back after stale() so nothing is lost. The
only way to send twice is a worker dying between the mail server accepting a message and the row being
marked sent; each message's Message-ID is fixed per delivery so mail systems can drop that duplicate.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterator
from datetime import timedelta
from typing import Any, TypeVar

from django.core.mail import EmailMessage, get_connection
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from watchkeeper.notifications.channels import Permanent, Transient, scrub
from watchkeeper.notifications.channels.email import smtp_failure
from watchkeeper.statuspage import conf, webhooks
from watchkeeper.statuspage.models import PublicUpdate, Subscriber, SubscriberMessage
from watchkeeper.statuspage.public_json import absolute
from watchkeeper.statuspage.services import sms, subscribers
from watchkeeper.statuspage.vocabulary import STATUS_LABELS

log = logging.getLogger(__name__)
T = TypeVar("T")
# A webhook receiver in trouble is retried at each sweep (every stale()) this many times in all.
MAX_ATTEMPTS = 6


def stale() -> timedelta:
    return timedelta(seconds=conf.stale_seconds())


def _chunks(ids: list[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def recipients(update: PublicUpdate) -> list[tuple[int, str]]:
    """(subscriber, medium) for confirmed subscribers to every component, or to one this update affects."""
    public = update.public_incident
    component_ids = {a.component_id for a in update.affected.all()} | {c.pk for c in public.components.all()}
    confirmed = Subscriber.objects.filter(confirmed_at__isnull=False)
    chosen = confirmed.filter(Q(all_components=True) | Q(components__in=component_ids))
    return sorted(set(chosen.values_list("pk", "medium")))


def plan(update_id: int, purpose: str) -> list[list[int]]:
    """Makes the delivery rows (idempotent) and returns the pending ones in batches."""
    update = PublicUpdate.objects.select_related("public_incident").get(pk=update_id)
    found = recipients(update)
    if purpose != SubscriberMessage.Purpose.UPDATE or not sms.wanted(update):
        found = [(pk, medium) for pk, medium in found if medium != Subscriber.Medium.SMS]
    for chunk in _chunks(found, 1000):
        SubscriberMessage.objects.bulk_create(
            [
                SubscriberMessage(update=update, subscriber_id=pk, medium=medium, purpose=purpose)
                for pk, medium in chunk
            ],
            ignore_conflicts=True,
        )
    return pending_batches(update_id, purpose)


def pending_batches(update_id: int, purpose: str) -> list[list[int]]:
    rows = SubscriberMessage.objects.filter(update_id=update_id, purpose=purpose, state=SubscriberMessage.State.PENDING)
    by_channel: dict[str, list[int]] = {}
    for pk, medium in rows.order_by("pk").values_list("pk", "medium"):
        by_channel.setdefault(medium, []).append(pk)
    return [batch for medium, ids in by_channel.items() for batch in _chunks(ids, conf.batch_size(medium))]


def release_stale(update_id: int, purpose: str) -> int:
    """Puts claims abandoned by a dead worker back in the queue."""
    cutoff = timezone.now() - stale()
    abandoned = SubscriberMessage.objects.filter(
        update_id=update_id, purpose=purpose, state=SubscriberMessage.State.SENDING, claimed_at__lt=cutoff
    )
    return abandoned.update(state=SubscriberMessage.State.PENDING, claimed_at=None)


def _claim(delivery_id: int) -> bool:
    claimed = SubscriberMessage.objects.filter(pk=delivery_id, state=SubscriberMessage.State.PENDING).update(
        state=SubscriberMessage.State.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1
    )
    return claimed == 1


def send_batch(delivery_ids: list[int]) -> int:
    """Sends each delivery this worker manages to claim (emails over one SMTP connection); returns how many went.

    A webhook receiver's passing trouble (timeout, 5xx, 429) puts the delivery back for the sweep to retry.
    """
    sent = 0
    bugs = 0
    common: dict[int, dict[str, Any]] = {}
    with get_connection() as connection:
        for delivery_id in delivery_ids:
            if not _claim(delivery_id):
                continue
            delivery = SubscriberMessage.objects.select_related("update__public_incident", "subscriber").get(
                pk=delivery_id
            )
            try:
                _send(delivery, connection, common)
            except Transient as error:
                _retry_or_fail(delivery, scrub(str(error)))
                continue
            except Permanent as error:
                # A subscriber's endpoint may carry its own token in the path: never stored or logged whole.
                log.warning("Status page delivery %s failed: %s", delivery_id, scrub(str(error)))
                SubscriberMessage.objects.filter(pk=delivery_id).update(
                    state=SubscriberMessage.State.FAILED, claimed_at=None, error=scrub(str(error))[:500]
                )
                continue
            except Exception as error:
                # Our own bug, not the receiver's answer: loud, with its traceback, and the delivery kept for a
                # retry (after the fix is deployed) rather than written off as the subscriber's failure.
                log.exception("Status page delivery %s hit a bug", delivery_id)
                _retry_or_fail(delivery, f"internal error ({type(error).__name__}); see the worker log")
                bugs += 1
                continue
            SubscriberMessage.objects.filter(pk=delivery_id).update(
                state=SubscriberMessage.State.SENT, sent_at=timezone.now()
            )
            sent += 1
    if bugs:
        raise DeliveryBug(f"{bugs} status page deliveries hit a bug; the worker log has the tracebacks")
    return sent


class DeliveryBug(RuntimeError):
    """Raised after a batch so the task fails visibly when our code, not a receiver, broke a delivery."""


def _send(delivery: SubscriberMessage, connection: Any, common: dict[int, dict[str, Any]]) -> None:
    if delivery.medium == Subscriber.Medium.WEBHOOK:
        if delivery.update_id not in common:
            common[delivery.update_id] = webhooks.shared(delivery.update)
        webhooks.send(delivery, common[delivery.update_id])
    elif delivery.medium == Subscriber.Medium.SMS:
        sms.send(delivery)
    else:
        message = update_email(delivery)
        message.connection = connection
        try:
            message.send()
        except (smtplib.SMTPException, OSError) as error:
            raise smtp_failure(error) from error


def _retry_or_fail(delivery: SubscriberMessage, error: str) -> None:
    retry = delivery.attempts < MAX_ATTEMPTS
    SubscriberMessage.objects.filter(pk=delivery.pk).update(
        state=SubscriberMessage.State.PENDING if retry else SubscriberMessage.State.FAILED,
        claimed_at=None,
        error=error[:500],
    )


def _links(subscriber: Subscriber) -> tuple[str, str]:
    token = subscribers.manage_token(subscriber)
    manage = absolute(reverse("statuspage:manage", args=[token]))
    unsubscribe = absolute(reverse("statuspage:unsubscribe", args=[token]))
    return manage, unsubscribe


def _footer(manage: str, unsubscribe: str) -> str:
    lines = ["", "---", f"Change what you get updates about: {manage}", f"Unsubscribe: {unsubscribe}"]
    if conf.support_url():
        lines.append(f"If you need help: {conf.support_url()}")
    return "\n".join(lines)


def update_email(delivery: SubscriberMessage) -> EmailMessage:
    update = delivery.update
    public = update.public_incident
    manage, unsubscribe = _links(delivery.subscriber)
    link = absolute(reverse("statuspage:incident", args=[public.pk]))
    if delivery.purpose == SubscriberMessage.Purpose.REMINDER:
        start = update.public_incident.scheduled_for
        subject = f"[{conf.name()}] Starting soon: {public.name}"
        intro = f"Scheduled maintenance starts at {start:%H:%M %Z on %-d %B %Y}." if start else ""
        body = f"{intro}\n\n{update.body}"
    else:
        subject = f"[{conf.name()}] {STATUS_LABELS[update.status]}: {public.name}"
        body = update.body
    text = f"{body}\n\nRead more: {link}\n{_footer(manage, unsubscribe)}\n"
    domain = conf.site_url().split("//", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"
    return EmailMessage(
        subject=subject,
        body=text,
        from_email=conf.from_email(),
        to=[delivery.subscriber.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Message-ID": f"<statuspage-delivery-{delivery.pk}@{domain}>",
        },
    )


def confirmation_email(subscriber: Subscriber) -> EmailMessage:
    """The opt-in email, or for an address already confirmed, a reminder of its management link."""
    manage, unsubscribe = _links(subscriber)
    if subscriber.confirmed_at is None:
        link = absolute(reverse("statuspage:confirm", args=[subscribers.confirm_token(subscriber)]))
        hours = conf.confirm_max_age() // 3600
        subject = f"Confirm you want updates from {conf.name()}"
        what = f"webhook updates to {subscriber.endpoint}" if subscriber.endpoint else "email updates to this address"
        text = (
            f"Someone asked for {conf.name()} to send {what}.\n\n"
            f"To confirm, open this link within {hours} hours:\n{link}\n\n"
            "If this was not you, ignore this email and you will not hear from us again.\n"
        )
    else:
        subject = f"You already get updates from {conf.name()}"
        text = f"This address already gets updates from {conf.name()}.\n{_footer(manage, unsubscribe)}\n"
    return EmailMessage(
        subject=subject,
        body=text,
        from_email=conf.from_email(),
        to=[subscriber.email],
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )

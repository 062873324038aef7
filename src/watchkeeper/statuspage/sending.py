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
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from django.core.mail import EmailMessage, get_connection
from django.db import transaction
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
# Deliveries claimed in one statement. More saves little once the claim is no longer a query per message, and a
# killed worker's claims wait stale() for the sweep: this many subscribers at most, not the whole batch.
CLAIM_AHEAD = 50


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


def _claim(chunk: list[int]) -> list[SubscriberMessage]:
    """Claims the still-pending deliveries among ``chunk`` in one statement and returns them, subscriber loaded.

    The rows are read and marked inside one transaction: SQLite's IMMEDIATE transaction lets one writer in at a time,
    and on PostgreSQL SKIP LOCKED leaves rows another worker is claiming right now to that worker.
    """
    with transaction.atomic():
        pending = SubscriberMessage.objects.filter(pk__in=chunk, state=SubscriberMessage.State.PENDING)
        claimed = list(pending.select_related("subscriber").select_for_update(skip_locked=True, of=("self",)))
        SubscriberMessage.objects.filter(pk__in=[delivery.pk for delivery in claimed]).update(
            state=SubscriberMessage.State.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1
        )
    for delivery in claimed:
        delivery.state = SubscriberMessage.State.SENDING
        delivery.attempts += 1
    return sorted(claimed, key=lambda delivery: delivery.pk)


def _release(unsent: list[SubscriberMessage]) -> None:
    """Hands back claims never tried (the worker is stopping), so they go out now rather than after stale()."""
    if unsent:
        SubscriberMessage.objects.filter(pk__in=[d.pk for d in unsent], state=SubscriberMessage.State.SENDING).update(
            state=SubscriberMessage.State.PENDING, claimed_at=None, attempts=F("attempts") - 1
        )


def send_batch(delivery_ids: list[int]) -> int:
    """Sends each delivery this worker manages to claim (emails over one SMTP connection); returns how many went.

    Claims are taken CLAIM_AHEAD at a time, one statement each, and each delivery is marked sent on its own as soon
    as its receiver has it: a worker killed mid-batch can then have sent at most one message it did not record, and
    leaves at most CLAIM_AHEAD claims for the sweep to put back after stale().
    A webhook receiver's passing trouble (timeout, 5xx, 429) puts the delivery back for the sweep to retry.
    """
    sent = 0
    bugs = 0
    common: dict[tuple[str, int, str], Any] = {}
    updates: dict[int, PublicUpdate] = {}
    with get_connection() as connection:
        for chunk in _chunks(delivery_ids, CLAIM_AHEAD):
            claimed = _claim(chunk)
            for position, delivery in enumerate(claimed):
                try:
                    outcome = _deliver(delivery, connection, common, updates)
                except BaseException:
                    _release(claimed[position + 1 :])
                    raise
                sent += outcome == SubscriberMessage.State.SENT
                bugs += outcome is None
    if bugs:
        raise DeliveryBug(f"{bugs} status page deliveries hit a bug; the worker log has the tracebacks")
    return sent


def _deliver(
    delivery: SubscriberMessage,
    connection: Any,
    common: dict[tuple[str, int, str], Any],
    updates: dict[int, PublicUpdate],
) -> str | None:
    """Sends one claimed delivery and records how it went: its new state, or None for our own bug."""
    if delivery.update_id not in updates:
        updates[delivery.update_id] = PublicUpdate.objects.select_related("public_incident").get(pk=delivery.update_id)
    delivery.update = updates[delivery.update_id]
    try:
        _send(delivery, connection, common)
    except Transient as error:
        return _retry_or_fail(delivery, scrub(str(error)))
    except Permanent as error:
        # A subscriber's endpoint may carry its own token in the path: never stored or logged whole.
        log.warning("Status page delivery %s failed: %s", delivery.pk, scrub(str(error)))
        SubscriberMessage.objects.filter(pk=delivery.pk).update(
            state=SubscriberMessage.State.FAILED, claimed_at=None, error=scrub(str(error))[:500]
        )
        return SubscriberMessage.State.FAILED
    except Exception as error:
        # Our own bug, not the receiver's answer: loud, with its traceback, and the delivery kept for a
        # retry (after the fix is deployed) rather than written off as the subscriber's failure.
        log.exception("Status page delivery %s hit a bug", delivery.pk)
        _retry_or_fail(delivery, f"internal error ({type(error).__name__}); see the worker log")
        return None
    SubscriberMessage.objects.filter(pk=delivery.pk).update(state=SubscriberMessage.State.SENT, sent_at=timezone.now())
    return SubscriberMessage.State.SENT


class DeliveryBug(RuntimeError):
    """Raised after a batch so the task fails visibly when our code, not a receiver, broke a delivery."""


def _shared(delivery: SubscriberMessage, common: dict[tuple[str, int, str], Any]) -> Any:
    """What every subscriber by this medium gets for this update: worked out once a batch, not once each."""
    key = (delivery.medium, delivery.update_id, delivery.purpose)
    if key not in common:
        if delivery.medium == Subscriber.Medium.WEBHOOK:
            common[key] = webhooks.shared(delivery.update)
        else:
            common[key] = _email_parts(delivery.update, delivery.purpose)
    return common[key]


def _send(delivery: SubscriberMessage, connection: Any, common: dict[tuple[str, int, str], Any]) -> None:
    if delivery.medium == Subscriber.Medium.WEBHOOK:
        webhooks.send(delivery, _shared(delivery, common))
    elif delivery.medium == Subscriber.Medium.SMS:
        sms.send(delivery)
    else:
        message = update_email(delivery, _shared(delivery, common))
        message.connection = connection
        try:
            message.send()
        except (smtplib.SMTPException, OSError) as error:
            raise smtp_failure(error) from error


def _retry_or_fail(delivery: SubscriberMessage, error: str) -> str:
    state = SubscriberMessage.State.PENDING if delivery.attempts < MAX_ATTEMPTS else SubscriberMessage.State.FAILED
    SubscriberMessage.objects.filter(pk=delivery.pk).update(state=state, claimed_at=None, error=error[:500])
    return state


# Stands for a subscriber's token in links worked out once an update (a token is URL-safe base64 and colons,
# which reverse() leaves as they are, so putting it in by hand gives the same link).
TOKEN = "TOKEN"


def _link_templates() -> tuple[str, str]:
    return (
        absolute(reverse("statuspage:manage", args=[TOKEN])),
        absolute(reverse("statuspage:unsubscribe", args=[TOKEN])),
    )


def _links(subscriber: Subscriber, templates: tuple[str, str] | None = None) -> tuple[str, str]:
    token = subscribers.manage_token(subscriber)
    manage, unsubscribe = templates or _link_templates()
    return manage.replace(TOKEN, token), unsubscribe.replace(TOKEN, token)


def _footer(manage: str, unsubscribe: str) -> str:
    lines = ["", "---", f"Change what you get updates about: {manage}", f"Unsubscribe: {unsubscribe}"]
    if conf.support_url():
        lines.append(f"If you need help: {conf.support_url()}")
    return "\n".join(lines)


@dataclass(frozen=True)
class EmailParts:
    """An update's email as every subscriber gets it; only the links at the foot and the addressing differ."""

    subject: str
    text: str
    from_email: str
    domain: str
    links: tuple[str, str]  # manage and unsubscribe, each with TOKEN for the subscriber's token


def _email_parts(update: PublicUpdate, purpose: str) -> EmailParts:
    public = update.public_incident
    link = absolute(reverse("statuspage:incident", args=[public.pk]))
    if purpose == SubscriberMessage.Purpose.REMINDER:
        start = public.scheduled_for
        subject = f"[{conf.name()}] Starting soon: {public.name}"
        intro = f"Scheduled maintenance starts at {start:%H:%M %Z on %-d %B %Y}." if start else ""
        body = f"{intro}\n\n{update.body}"
    else:
        subject = f"[{conf.name()}] {STATUS_LABELS[update.status]}: {public.name}"
        body = update.body
    domain = conf.site_url().split("//", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"
    return EmailParts(subject, f"{body}\n\nRead more: {link}\n", conf.from_email(), domain, _link_templates())


def update_email(delivery: SubscriberMessage, parts: EmailParts | None = None) -> EmailMessage:
    parts = parts or _email_parts(delivery.update, delivery.purpose)
    manage, unsubscribe = _links(delivery.subscriber, parts.links)
    return EmailMessage(
        subject=parts.subject,
        body=f"{parts.text}{_footer(manage, unsubscribe)}\n",
        from_email=parts.from_email,
        to=[delivery.subscriber.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Message-ID": f"<statuspage-delivery-{delivery.pk}@{parts.domain}>",
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

"""Sending one page notification with the notification app's transports and its guarantees.

As with deliveries: a claim schedules a lease check, so a worker that died mid-send is retried; a transient
failure is retried with backoff; a message recorded as sent is never sent again. One guarantee more: nothing is
sent once the page is acknowledged. The send runs while holding a shared lock on the page row and after checking
its status, and acknowledging takes that row's exclusive lock, so an acknowledgement waits for a send already
under way and every send that starts after it sees the page acknowledged and is cancelled.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from watchkeeper.incidents import events
from watchkeeper.notifications import delivery, sealing
from watchkeeper.notifications.channels import Outgoing, Permanent, Sent, Transient, Transport
from watchkeeper.notifications.channels.registry import transport_for
from watchkeeper.oncall import voice
from watchkeeper.oncall.models import ContactMethod, NotificationStatus, Page, PageEvent, PageNotification, PageStatus

# Contact kinds and the notification transport each goes through.
TRANSPORT_KINDS = {"sms": "notify_sms", "email": "email", "slack": "slack", "voice": "voice"}
FINISHED = {NotificationStatus.SENT, NotificationStatus.FAILED, NotificationStatus.CANCELLED}


def _config(name: str) -> float:
    return float(settings.NOTIFICATIONS[name])


def enqueue(notification_id: int, number: int, at: datetime | None = None) -> None:
    events.enqueue("oncall.send_notification", notification_id, number, run_after=at)


def transport(kind: str) -> Transport:
    return voice.provider() if kind == "voice" else transport_for(kind)


def attempt(notification_id: int, number: int) -> None:
    claimed = _claim(notification_id, number)
    if claimed is None:
        return
    number = claimed
    with transaction.atomic():
        _share_lock(notification_id)
        row = (
            PageNotification.objects.select_for_update(of=("self",))
            .select_related("page", "channel")
            .get(pk=notification_id)
        )
        if row.status != NotificationStatus.SENDING or row.attempts != number:
            return  # cancelled by an acknowledgement, or taken over after this attempt's lease ran out
        if row.page.status != PageStatus.TRIGGERED:
            _finish(row, NotificationStatus.CANCELLED, "the page was acknowledged")
            return
        try:
            sent = transport(row.kind).send(_outgoing(row))
        except Transient as error:
            _retry_or_fail(row, str(error), error.retry_after)
        except Permanent as error:
            _fail(row, str(error))
        else:
            _sent(row, sent)


def _share_lock(notification_id: int) -> None:
    """Holds the page row against an acknowledgement for as long as this send takes (the caller's transaction)."""
    page_id = PageNotification.objects.filter(pk=notification_id).values_list("page_id", flat=True).get()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM oncall_page WHERE id = %s FOR SHARE", [page_id])
    else:
        # SQLite has one writer at a time: taking the write lock now keeps an acknowledgement out until commit.
        Page.objects.filter(pk=page_id).update(cycle=F("cycle"))


def _claim(notification_id: int, number: int) -> int | None:
    """Marks the notification as being sent by this attempt; the attempt number it goes out as, or None."""
    with transaction.atomic():
        row = PageNotification.objects.select_for_update().filter(pk=notification_id).first()
        if row is None or row.status in FINISHED:
            return None
        now = timezone.now()
        if row.status == NotificationStatus.SENDING:
            lease = timedelta(seconds=_config("LEASE_SECONDS"))
            if row.attempts != number or row.claimed_at is None or row.claimed_at + lease > now:
                return None
            row.last_error = f"attempt {number} was interrupted"
            number += 1
            if number > _config("MAX_ATTEMPTS"):
                _fail(row, row.last_error)
                return None
        elif row.attempts != number - 1:
            return None
        row.status = NotificationStatus.SENDING
        row.attempts = number
        row.claimed_at = now
        row.save(update_fields=["status", "attempts", "claimed_at", "last_error"])
        enqueue(row.pk, number, now + timedelta(seconds=_config("LEASE_SECONDS")))
    return number


def _outgoing(row: PageNotification) -> Outgoing:
    channel = row.channel
    template = channel.template_id if channel else ""
    if row.kind == "notify_sms" and not template:
        template = str(settings.ONCALL["NOTIFY_SMS_TEMPLATE_ID"])
    return Outgoing(
        key=row.key,
        event="page.triggered",
        kind=row.kind,
        recipient=row.recipient,
        payload=row.payload,
        secret=sealing.reveal(channel.secret) if channel else "",
        template_id=template,
        timeout=_config("SEND_TIMEOUT_SECONDS"),
    )


def _event(row: PageNotification, text: str) -> None:
    PageEvent.objects.create(
        page_id=row.page_id,
        at=timezone.now(),
        kind="notification",
        text=text,
        data={"notification": row.pk, "status": row.status, "kind": row.kind},
    )


def describe(row: PageNotification) -> str:
    who = row.user.get_username() if row.user_id and row.user else row.recipient
    return f"{who} by {row.kind.replace('notify_', '')}"


def _finish(row: PageNotification, status: str, error: str = "") -> None:
    row.status = status
    row.finished_at = timezone.now()
    row.last_error = error[:2000] or row.last_error
    row.save(update_fields=["status", "finished_at", "last_error"])


def _sent(row: PageNotification, sent: Sent) -> None:
    row.sent_at = timezone.now()
    row.external_id = sent.external_id[:200]
    row.save(update_fields=["sent_at", "external_id"])
    _finish(row, NotificationStatus.SENT)
    _event(row, f"Notified {describe(row)}")


def _retry_or_fail(row: PageNotification, error: str, retry_after: float | None) -> None:
    if row.attempts >= _config("MAX_ATTEMPTS"):
        _fail(row, error)
        return
    row.status = NotificationStatus.PENDING
    row.last_error = error[:2000]
    row.save(update_fields=["status", "last_error"])
    enqueue(row.pk, row.attempts + 1, timezone.now() + delivery.backoff(row.attempts, retry_after))


def _fail(row: PageNotification, error: str) -> None:
    _finish(row, NotificationStatus.FAILED, error)
    if row.contact_id:
        # The nightly check tells the team's admins about contact methods that no longer work.
        ContactMethod.objects.filter(pk=row.contact_id).update(working=False)
    _event(row, f"Could not notify {describe(row)}: {error[:300]}")


def reply_sms(number: str, text: str) -> Sent:
    """One text back to a phone number, through the same Notify transport and template as pages."""
    subject = {
        "reference": "Watchkeeper on call",
        "title": "",
        "priority": "",
        "status": "",
        "service_name": "",
        "url": "",
    }
    payload = {"type": "page.reply", "data": {"incident": subject, "headline": text, "text": "", "withheld": True}}
    outgoing = Outgoing(
        key=f"sms-reply-{timezone.now().timestamp():.6f}",
        event="page.reply",
        kind="notify_sms",
        recipient=number,
        payload=payload,
        template_id=str(settings.ONCALL["NOTIFY_SMS_TEMPLATE_ID"]),
        timeout=_config("SEND_TIMEOUT_SECONDS"),
    )
    return transport("notify_sms").send(outgoing)

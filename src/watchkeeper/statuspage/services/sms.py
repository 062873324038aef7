"""Text message subscribers through GOV.UK Notify: told only when an incident is created and when it is resolved.

Sign-up sends a 6-digit code to the phone, entered on the page within conf.sms_code_minutes(); a few wrong
guesses void it. There is no reply-to-unsubscribe: each message carries a signed link to manage or stop them.
Every message uses one Notify template (STATUSPAGE_NOTIFY_SMS_TEMPLATE_ID) whose body is ``((message))``.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from watchkeeper.catalogue.models import Component
from watchkeeper.domain.text_messages import worth_a_text
from watchkeeper.incidents import events
from watchkeeper.notifications.channels import Permanent, notify
from watchkeeper.notifications.sealing import reveal, seal
from watchkeeper.statuspage import conf
from watchkeeper.statuspage.models import PublicUpdate, Subscriber, SubscriberMessage
from watchkeeper.statuspage.public_json import absolute
from watchkeeper.statuspage.services import subscribers
from watchkeeper.statuspage.vocabulary import IncidentStatus

CODE_SALT = "watchkeeper.statuspage.sms-code"
# Guessing one code in a million: a handful of tries per code, and a new code needs a new (rate-limited) sign-up.
MAX_FAILURES = 5
TIMEOUT = 10.0


class BadCode(Exception):
    """A code that is wrong, expired or used up; the message says which."""


def _new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def code_token(subscriber: Subscriber) -> str:
    """Names the sign-up in the code page's URL without putting the phone number there."""
    return signing.dumps({"id": subscriber.pk, "v": subscriber.token_version}, salt=CODE_SALT)


@transaction.atomic
def sign_up(phone: str, *, components: list[Component] | None, ip: str | None) -> Subscriber:
    """Records a sign-up and queues a new code; a number already confirmed gets one too, to reach its settings.

    The answer is the same whether or not the number was already subscribed, so the form reveals nothing.
    """

    phone = subscribers.normalise_phone(phone)
    subscribers.record_attempt(phone, ip)
    subscriber, _ = Subscriber.objects.get_or_create(
        phone=phone, medium=Subscriber.Medium.SMS, defaults={"created_at": timezone.now()}
    )
    if subscriber.confirmed_at is None:
        subscribers.choose(subscriber, components)
    subscriber.code, subscriber.code_sent_at, subscriber.code_failures = seal(_new_code()), timezone.now(), 0
    subscriber.save(update_fields=["code", "code_sent_at", "code_failures"])
    events.enqueue("statuspage.send_sms_code", subscriber.pk)
    return subscriber


def from_code_token(token: str) -> Subscriber:
    try:
        claims = signing.loads(token, salt=CODE_SALT, max_age=conf.sms_code_minutes() * 60)
    except signing.BadSignature:
        raise subscribers.BadLink("This page has expired. Sign up again to get a new code.") from None
    subscriber = Subscriber.objects.filter(pk=claims.get("id"), medium=Subscriber.Medium.SMS).first()
    if subscriber is None or subscriber.token_version != claims.get("v"):
        raise subscribers.BadLink("This sign-up is no longer valid. Sign up again to get a new code.")
    return subscriber


def confirm_code(subscriber: Subscriber, code: str) -> Subscriber:
    """Confirms the number if ``code`` is the one sent; raises BadCode otherwise. The code works once."""
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        sent_at = subscriber.code_sent_at
        if not subscriber.code or sent_at is None or subscriber.code_failures >= MAX_FAILURES:
            raise BadCode("This code can no longer be used. Sign up again to get a new one.")
        if timezone.now() > sent_at + timedelta(minutes=conf.sms_code_minutes()):
            raise BadCode("This code has expired. Sign up again to get a new one.")
        if not secrets.compare_digest(reveal(subscriber.code), code.strip().replace(" ", "")):
            subscriber.code_failures += 1
            subscriber.save(update_fields=["code_failures"])
            wrong = True
        else:
            subscriber.code, subscriber.code_sent_at, subscriber.code_failures = "", None, 0
            subscriber.confirmed_at = subscriber.confirmed_at or timezone.now()
            subscriber.save(update_fields=["code", "code_sent_at", "code_failures", "confirmed_at"])
            wrong = False
    # Raised outside the block, so the counted failure is committed rather than rolled back with the error.
    if wrong:
        raise BadCode("The code is not correct. Check the text message and try again.")
    return subscriber


def wanted(update: PublicUpdate) -> bool:
    public = update.public_incident
    previous = public.updates.filter(pk__lt=update.pk).order_by("-pk").first()
    return worth_a_text(
        maintenance=public.is_maintenance,
        first_post=previous is None,
        resolves=update.status == IncidentStatus.RESOLVED,
        was_resolved=previous is not None and previous.status == IncidentStatus.RESOLVED,
    )


def _send(phone: str, message: str, reference: str) -> None:
    """Raises Transient (worth retrying) or Permanent, as the notifications transports do."""
    if not conf.sms_template_id():
        raise Permanent("no Notify text message template: set STATUSPAGE_NOTIFY_SMS_TEMPLATE_ID")
    notify.send(
        "sms",
        api_key=settings.NOTIFY_API_KEY,
        recipient=phone,
        template_id=conf.sms_template_id(),
        fields={"message": message},
        reference=reference,
        timeout=TIMEOUT,
    )


def send_code(subscriber: Subscriber) -> None:
    if not subscriber.code:
        return
    minutes = conf.sms_code_minutes()
    message = f"{reveal(subscriber.code)} is your {conf.name()} code. It expires in {minutes} minutes."
    # Each code is its own message: a reference per code, so Notify's log tells them apart.
    sent_at = subscriber.code_sent_at.timestamp() if subscriber.code_sent_at else 0
    _send(subscriber.phone, message, f"statuspage-code-{subscriber.pk}-{sent_at:.0f}")


def update_text(delivery: SubscriberMessage) -> str:
    update = delivery.update
    public = update.public_incident
    manage = absolute(reverse("statuspage:manage", args=[subscribers.manage_token(delivery.subscriber)]))
    what = "Resolved" if update.status == IncidentStatus.RESOLVED else "New incident"
    link = absolute(reverse("statuspage:incident", args=[public.pk]))
    return f"{conf.name()}. {what}: {public.name}\n{link}\nStop or change these texts: {manage}"


def send(delivery: SubscriberMessage) -> None:
    # The reference is fixed per delivery, so a resend after a worker died can be found in Notify's log.
    _send(delivery.subscriber.phone, update_text(delivery), f"statuspage-delivery-{delivery.pk}")

"""Email subscribers: double opt-in, signed links instead of accounts, erasure, and sign-up limits."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from datetime import timedelta

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from watchkeeper.catalogue.models import Component
from watchkeeper.incidents import events
from watchkeeper.notifications.channels import endpoints
from watchkeeper.notifications.channels.webhook import SECRET_PREFIX
from watchkeeper.notifications.sealing import seal
from watchkeeper.statuspage import conf
from watchkeeper.statuspage.models import SignupAttempt, Subscriber

CONFIRM_SALT = "watchkeeper.statuspage.confirm"
MANAGE_SALT = "watchkeeper.statuspage.manage"
WINDOW = timedelta(hours=1)


class TooManyAttempts(Exception):
    """Too many sign-ups from one IP address or for one email address in the last hour."""


class BadLink(Exception):
    """A confirmation or management link that is forged, expired or for an address since removed."""


def address_hash(email: str) -> str:
    # Limits count addresses without keeping them: an erased address leaves nothing readable behind.
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def _normalise(email: str) -> str:
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        message = "Enter an email address in the correct format, like name@example.com"
        raise ValidationError({"email": message}) from None
    return email


def normalise_phone(number: str) -> str:
    """A mobile number in E.164 (+447700900123); UK numbers may be given as 07700 900123. Notify checks the rest."""
    digits = re.sub(r"[\s().-]", "", number)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    elif digits.startswith("0"):
        digits = "+44" + digits[1:]
    if not re.fullmatch(r"\+[1-9]\d{7,14}", digits) or (digits.startswith("+44") and not digits.startswith("+447")):
        message = "Enter a mobile phone number, like 07700 900 982 or +44 7700 900 982"
        raise ValidationError({"phone": message})
    # Each text costs the service money, and premium numbers abroad are how SMS pumping is paid: UK by default.
    allowed = conf.sms_country_codes()
    if allowed and not any(digits.startswith(code) for code in allowed):
        raise ValidationError({"phone": "Enter a UK mobile phone number, like 07700 900 982"})
    return digits


def new_webhook_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def check_webhook_endpoint(url: str) -> str:
    """The URL if it is safe to call, else a ValidationError on the ``endpoint`` field."""
    try:
        endpoints.resolve(url, allow_private=conf.webhook_allow_private())
    except endpoints.Refused as error:
        raise ValidationError({"endpoint": str(error).replace("an address", "a webhook address")}) from None
    return url.strip()


def _claims(subscriber: Subscriber) -> dict[str, object]:
    return {"id": subscriber.pk, "v": subscriber.token_version, "h": address_hash(subscriber.address)[:16]}


def confirm_token(subscriber: Subscriber) -> str:
    return signing.dumps(_claims(subscriber), salt=CONFIRM_SALT)


def manage_token(subscriber: Subscriber) -> str:
    return signing.dumps(_claims(subscriber), salt=MANAGE_SALT)


def load(token: str, salt: str, max_age: int | None) -> Subscriber:
    try:
        claims = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise BadLink("This link has expired. Sign up again to get a new one.") from None
    except signing.BadSignature:
        raise BadLink("This link is not valid. Check you copied all of it from the email.") from None
    subscriber = Subscriber.objects.filter(pk=claims.get("id")).first()
    if subscriber is None or _claims(subscriber) != claims:
        raise BadLink("This link is no longer valid: the address has been unsubscribed.")
    return subscriber


def check_limits(email_hash: str, ip: str | None) -> None:
    since = timezone.now() - WINDOW
    recent = SignupAttempt.objects.filter(at__gte=since)
    if ip and recent.filter(ip=ip).count() >= conf.signup_limit_per_ip():
        raise TooManyAttempts("There have been too many sign-ups from your network. Try again in an hour.")
    if recent.filter(address_hash=email_hash).count() >= conf.signup_limit_per_address():
        raise TooManyAttempts("There have been too many sign-ups for this email address. Try again in an hour.")


def record_attempt(email: str, ip: str | None) -> None:
    email_hash = address_hash(email)
    check_limits(email_hash, ip)
    now = timezone.now()
    SignupAttempt.objects.create(ip=ip, address_hash=email_hash, at=now)
    # Keep the tables small and forget unconfirmed addresses once their links have expired.
    Subscriber.objects.filter(
        confirmed_at__isnull=True, created_at__lt=now - timedelta(seconds=conf.confirm_max_age())
    ).delete()
    SignupAttempt.objects.filter(at__lt=now - WINDOW).delete()


@transaction.atomic
def sign_up_webhook(email: str, endpoint: str, *, components: list[Component] | None, ip: str | None) -> Subscriber:
    """A webhook subscription, confirmed and managed through the email address given with it."""

    email = _normalise(email)
    endpoint = check_webhook_endpoint(endpoint)
    record_attempt(email, ip)
    subscriber, _ = Subscriber.objects.get_or_create(
        email=email,
        endpoint=endpoint,
        medium=Subscriber.Medium.WEBHOOK,
        defaults={"created_at": timezone.now(), "secret": seal(new_webhook_secret())},
    )
    if subscriber.confirmed_at is None:
        choose(subscriber, components)
    events.enqueue("statuspage.send_confirmation", subscriber.pk)
    return subscriber


@transaction.atomic
def sign_up(email: str, *, components: list[Component] | None, ip: str | None) -> Subscriber:
    """Records a sign-up and queues the confirmation email; ``components`` None means every component.

    The answer is the same whether or not the address was already subscribed, so the form reveals nothing.
    """

    email = _normalise(email)
    record_attempt(email, ip)
    subscriber, _ = Subscriber.objects.get_or_create(
        email=email, medium=Subscriber.Medium.EMAIL, defaults={"created_at": timezone.now()}
    )
    if subscriber.confirmed_at is None:
        # Only an unconfirmed sign-up takes the choice from the form; a confirmed one changes through its own link.
        choose(subscriber, components)
    events.enqueue("statuspage.send_confirmation", subscriber.pk)
    return subscriber


def choose(subscriber: Subscriber, components: list[Component] | None) -> None:
    subscriber.all_components = components is None
    subscriber.save(update_fields=["all_components"])
    subscriber.components.set(components or [])


@transaction.atomic
def confirm(token: str) -> Subscriber:
    subscriber = load(token, CONFIRM_SALT, conf.confirm_max_age())
    if subscriber.confirmed_at is None:
        subscriber.confirmed_at = timezone.now()
        subscriber.save(update_fields=["confirmed_at"])
    return subscriber


def from_manage_link(token: str) -> Subscriber:
    return load(token, MANAGE_SALT, None)


@transaction.atomic
def choose_components(subscriber: Subscriber, components: list[Component] | None) -> Subscriber:
    choose(subscriber, components)
    return subscriber


@transaction.atomic
def unsubscribe(subscriber: Subscriber) -> None:
    """Unsubscribing erases the subscription and its deliveries: nothing is kept that could be sent to again."""
    address = subscriber.address
    field = "phone" if subscriber.medium == Subscriber.Medium.SMS else "email"
    if not Subscriber.objects.filter(**{field: address}).exclude(pk=subscriber.pk).exists():
        SignupAttempt.objects.filter(address_hash=address_hash(address)).delete()
    subscriber.delete()


@transaction.atomic
def erase(address: str) -> bool:
    """Erases an email address (with its webhooks) or a phone number on request (UK GDPR Art. 17); True if found."""
    try:
        phone = normalise_phone(address)
    except ValidationError:
        phone = ""
    email = address.strip().lower()
    for each in {email, phone} - {""}:
        SignupAttempt.objects.filter(address_hash=address_hash(each)).delete()
    found = Subscriber.objects.filter(email=email) if email else Subscriber.objects.none()
    if phone:
        found = found | Subscriber.objects.filter(medium=Subscriber.Medium.SMS, phone=phone)
    deleted, _ = found.delete()
    return deleted > 0

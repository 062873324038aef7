"""A person's own contact methods: the ways a page reaches them, in the order they choose."""

from __future__ import annotations

import re

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max

from watchkeeper.oncall.models import ContactKind, ContactMethod
from watchkeeper.oncall.services.schedules import invalid

# What GOV.UK Notify accepts for a text message: a UK mobile, or an international number with its country code.
PHONE = re.compile(r"^(\+|00)?[0-9]{10,15}$")
SLACK_MEMBER = re.compile(r"^[UW][A-Z0-9]{6,20}$")


def _signed_in(actor: User | AnonymousUser) -> User:
    if not isinstance(actor, User) or not actor.is_active:
        raise PermissionDenied("Sign in to change how you are contacted")
    return actor


def _address_problem(kind: str, address: str) -> str | None:
    if kind in (ContactKind.SMS, ContactKind.VOICE):
        digits = re.sub(r"[\s()-]", "", address)
        return None if PHONE.match(digits) else "Enter a phone number, like 07700 900 982 or +44 7700 900 982"
    if kind == ContactKind.EMAIL:
        try:
            validate_email(address)
        except ValidationError:
            return "Enter an email address in the correct format, like name@example.gov.uk"
        return None
    if kind == ContactKind.SLACK:
        return None if SLACK_MEMBER.match(address) else "Enter a Slack member ID, like U024BE7LH"
    return "Select how to contact you"


@transaction.atomic
def add_contact_method(
    actor: User | AnonymousUser, *, kind: str, address: str, delay_minutes: int = 0
) -> ContactMethod:
    """Adds a method at the end of the person's order; it counts as working until a send to it fails."""
    user = _signed_in(actor)
    address = address.strip()
    errors: dict[str, str] = {}
    if kind not in ContactKind.values:
        errors["kind"] = "Select how to contact you"
    elif problem := _address_problem(kind, address):
        errors["address"] = problem
    if delay_minutes < 0 or delay_minutes > 60:
        errors["delay_minutes"] = "Enter a delay from 0 to 60 minutes"
    if errors:
        raise invalid(errors)
    last = ContactMethod.objects.select_for_update().filter(user=user).aggregate(last=Max("position"))["last"]
    return ContactMethod.objects.create(
        user=user,
        kind=kind,
        address=address,
        delay_minutes=delay_minutes,
        position=0 if last is None else last + 1,
    )


def _own(user: User, method_id: int) -> ContactMethod:
    method = ContactMethod.objects.filter(user=user, pk=method_id).first()
    if method is None:  # someone else's, or gone: the same answer, so ids say nothing about other people
        raise PermissionDenied("That is not one of your contact methods")
    return method


@transaction.atomic
def remove_contact_method(actor: User | AnonymousUser, method_id: int) -> None:
    _own(_signed_in(actor), method_id).delete()


@transaction.atomic
def move_contact_method(actor: User | AnonymousUser, method_id: int, *, up: bool) -> None:
    """Swaps the method with its neighbour, so a page tries it one place sooner (or later)."""
    user = _signed_in(actor)
    methods = list(ContactMethod.objects.select_for_update().filter(user=user).order_by("position", "id"))
    index = next((n for n, m in enumerate(methods) if m.pk == method_id), None)
    if index is None:
        raise PermissionDenied("That is not one of your contact methods")
    other = index - 1 if up else index + 1
    if 0 <= other < len(methods):
        methods[index], methods[other] = methods[other], methods[index]
    for position, method in enumerate(methods):
        if method.position != position:
            method.position = position
            method.save(update_fields=["position"])

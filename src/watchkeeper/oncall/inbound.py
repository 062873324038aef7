"""Acknowledging by SMS reply: GOV.UK Notify's inbound text message callback.

Notify posts {"id", "source_number", "destination_number", "message", "date_received"} with the bearer token set
for the callback. "ACK 4821" from the phone number of a person's SMS contact method acknowledges the triggered
page with that code; a wrong or expired code gets a reply saying so.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from watchkeeper.oncall import services
from watchkeeper.oncall.models import ContactKind, ContactMethod, Page, PageStatus

ACK = re.compile(r"^\s*ack\s*(\d{4})\b", re.IGNORECASE)


def normalise(number: str) -> str:
    """UK numbers compare as 44…: Notify sends 447700900123 for a contact saved as 07700 900123 or +44 7700…"""
    digits = re.sub(r"\D", "", number)
    if digits.startswith("00"):
        digits = digits[2:]
    if digits.startswith("0"):
        digits = "44" + digits[1:]
    return digits


def person_for(number: str) -> User | None:
    wanted = normalise(number)
    methods = ContactMethod.objects.filter(kind=ContactKind.SMS).select_related("user")
    found = {m.user for m in methods if normalise(m.address) == wanted and m.user.is_active}
    return found.pop() if len(found) == 1 else None


@transaction.atomic
def receive(message: dict[str, Any]) -> str:
    """Acts on one inbound text and returns the reply to send back."""
    text = str(message.get("message", ""))
    sender = str(message.get("source_number", ""))
    match = ACK.match(text)
    if match is None:
        return "Watchkeeper did not understand that. To acknowledge a page, reply ACK and its 4-digit code."
    user = person_for(sender)
    if user is None:
        return "Watchkeeper does not know this phone number, so it cannot acknowledge a page from it."
    code = match.group(1)
    page = Page.objects.filter(ack_code=code, status=PageStatus.TRIGGERED).order_by("-triggered_at").first()
    if page is None:
        recent = Page.objects.filter(ack_code=code).order_by("-triggered_at").first()
        if recent is not None and recent.acknowledged_by is not None:
            who = recent.acknowledged_by.get_username()
            return f"Code {code} is no longer open: {who} already acknowledged that page."
        return f"Code {code} is wrong or has expired. Check the code in the page's text message."
    done = services.acknowledge_page(page, user=user, via="sms")
    if done.acknowledged_by_id != user.pk and done.acknowledged_by is not None:
        return f"{done.acknowledged_by.get_username()} acknowledged that page first."
    return f"Acknowledged: {page.summary[:100]}"

"""Email through Django's email backend (SMTP from EMAIL_URL): text and HTML, one thread per incident."""

from __future__ import annotations

import smtplib
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string

from watchkeeper.notifications import messages
from watchkeeper.notifications.channels import Outgoing, Permanent, Sent, Transient


def _domain() -> str:
    return settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "watchkeeper.local"


def thread_id(reference: str) -> str:
    """Every email about an incident replies to this one id, so mail clients keep them together."""
    return f"<{reference.lower()}@{_domain()}>"


def build(message: Outgoing) -> EmailMultiAlternatives:
    payload: dict[str, Any] = message.payload
    reference = payload["data"]["incident"]["reference"]
    root = thread_id(reference)
    headers = {"Message-ID": f"<{message.key}@{_domain()}>", "In-Reply-To": root, "References": root}
    if payload["type"] == "incident.declared":
        headers = {"Message-ID": root}
    email = EmailMultiAlternatives(
        subject=payload["data"]["headline"],
        body=messages.plain_text(payload),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address.strip() for address in message.recipient.split(",") if address.strip()],
        headers=headers,
    )
    html = render_to_string(
        "notifications/email.html", {"payload": payload, "facts": messages.facts(payload), "data": payload["data"]}
    )
    email.attach_alternative(html, "text/html")
    return email


class EmailTransport:
    def send(self, message: Outgoing) -> Sent:
        email = build(message)
        connection = get_connection(timeout=message.timeout)
        try:
            connection.send_messages([email])
        except (smtplib.SMTPException, OSError) as error:
            raise smtp_failure(error) from error
        return Sent(external_id=str(email.extra_headers.get("Message-ID", "")))


def smtp_failure(error: smtplib.SMTPException | OSError) -> Transient | Permanent:
    """What an SMTP error means for a retry: a 5xx is the server's final answer, anything else may pass."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        if all(code >= 500 for code in codes):
            return Permanent(f"recipients refused: {error.recipients}")
        return Transient(f"recipients refused for now: {error.recipients}")
    if isinstance(error, smtplib.SMTPResponseException):
        if error.smtp_code >= 500:
            return Permanent(f"SMTP {error.smtp_code}: {error.smtp_error!r}")
        return Transient(f"SMTP {error.smtp_code}: {error.smtp_error!r}")
    return Transient(f"SMTP unavailable: {error}")

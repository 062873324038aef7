"""GOV.UK Notify email and text messages, with a template and personalisation; the reference is the idempotency key."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

from watchkeeper.notifications import messages
from watchkeeper.notifications.channels import Outgoing, Permanent, Sent, Transient, parse_retry_after


def personalisation(payload: dict[str, Any]) -> dict[str, str]:
    """The fields a Notify template may use: ((headline)), ((reference)), ((body)), ((url))…"""
    incident = payload["data"]["incident"]
    fields = {
        "headline": payload["data"]["headline"],
        "reference": incident["reference"],
        "title": incident["title"],
        "priority": incident["priority"],
        "status": incident["status"],
        "service": incident["service_name"],
        "url": incident["url"],
        "body": messages.plain_text(payload),
    }
    # A withheld snapshot has no title or priority; Notify wants a string for every placeholder.
    return {name: value or "" for name, value in fields.items()}


def failure(error: APIError) -> Transient | Permanent:
    """Notify's 429 and 5xx clear up by themselves; its other refusals (a bad key, a bad number) will not."""
    status = error.status_code
    detail = f"Notify {status}: {error.message}"
    if status == 429 or status >= 500:
        retry = error.response.headers.get("Retry-After") if error.response is not None else None
        return Transient(detail, parse_retry_after(retry))
    return Permanent(detail)


def send(
    kind: str, *, api_key: str, recipient: str, template_id: str, fields: dict[str, str], reference: str, timeout: float
) -> str:
    """Sends one text message ("sms") or email through Notify's official client; returns Notify's id for it.

    The only door to Notify, so every sender gets the same answer to a bad key, a refusal or an outage
    (which the client reports as a 503): Permanent or Transient, as the transports' contract says.
    """
    if len(api_key) < 73:
        raise Permanent("no GOV.UK Notify API key: give the channel a secret or set NOTIFY_API_KEY")
    if not template_id:
        raise Permanent("no Notify template ID")
    client = NotificationsAPIClient(api_key, base_url=settings.NOTIFY_BASE_URL, timeout=timeout)
    sender = client.send_sms_notification if kind == "sms" else client.send_email_notification
    try:
        response = sender(recipient, template_id, personalisation=fields, reference=reference)
    except APIError as error:
        raise failure(error) from error
    return str(response.get("id", ""))


class NotifyTransport:
    def send(self, message: Outgoing) -> Sent:
        notify_id = send(
            "sms" if message.kind == "notify_sms" else "email",
            api_key=message.secret or settings.NOTIFY_API_KEY,
            recipient=message.recipient,
            template_id=message.template_id,
            fields=personalisation(message.payload),
            reference=message.key,
            timeout=message.timeout,
        )
        return Sent(external_id=notify_id)

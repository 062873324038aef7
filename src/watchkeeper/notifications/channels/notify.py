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


class NotifyTransport:
    def send(self, message: Outgoing) -> Sent:
        api_key = message.secret or settings.NOTIFY_API_KEY
        if len(api_key) < 73:
            raise Permanent("no GOV.UK Notify API key: give the channel a secret or set NOTIFY_API_KEY")
        if not message.template_id:
            raise Permanent("the channel has no Notify template ID")
        client = NotificationsAPIClient(api_key, base_url=settings.NOTIFY_BASE_URL, timeout=message.timeout)
        fields = personalisation(message.payload)
        try:
            if message.kind == "notify_sms":
                response = client.send_sms_notification(
                    message.recipient, message.template_id, personalisation=fields, reference=message.key
                )
            else:
                response = client.send_email_notification(
                    message.recipient, message.template_id, personalisation=fields, reference=message.key
                )
        except APIError as error:
            raise failure(error) from error
        return Sent(external_id=str(response.get("id", "")))

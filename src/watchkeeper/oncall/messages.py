"""What a page says, in the envelope every notification transport already reads.

The transports word an incident snapshot; a page fills the same keys, so SMS, email and Slack need no new code
paths. The text carries the two ways to acknowledge that do not need a browser session: the SMS reply code and,
in email, a signed link.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing
from django.urls import reverse

from watchkeeper.notifications import messages
from watchkeeper.oncall.models import Page

ACK_SALT = "watchkeeper.oncall.ack"


def page_url(page: Page) -> str:
    return f"{settings.SITE_URL}{reverse('oncall:page', kwargs={'page_id': page.pk})}"


def ack_token(page: Page, user_id: int | None) -> str:
    return signing.dumps({"page": page.pk, "user": user_id}, salt=ACK_SALT, compress=True)


def read_ack_token(token: str) -> dict[str, Any]:
    """Raises signing.BadSignature (or SignatureExpired) for a forged, altered or old link."""
    max_age = int(str(settings.ONCALL["ACK_LINK_HOURS"])) * 3600
    data: dict[str, Any] = signing.loads(token, salt=ACK_SALT, max_age=max_age)
    return data


def ack_url(page: Page, user_id: int | None) -> str:
    return f"{settings.SITE_URL}{reverse('oncall:ack_link', kwargs={'token': ack_token(page, user_id)})}"


def _subject(page: Page) -> dict[str, Any]:
    if page.incident is not None:
        restricted = page.incident.restricted
        found = messages.withheld_snapshot(page.incident) if restricted else messages.snapshot(page.incident)
        found["url"] = page_url(page)
        return found
    return dict(
        reference=f"PAGE-{page.pk}",
        title=page.summary,
        url=page_url(page),
        service="",
        service_name="",
        type="",
        type_label="",
        priority="",
        status="triggered",
        restricted=False,
        incident_lead=None,
        comms_lead=None,
        respond_by=None,
        next_update_due=None,
        reported_at=None,
        declared_at=None,
        response_met_at=None,
        resolved_at=None,
    )


def payload(page: Page, kind: str, user_id: int | None) -> dict[str, Any]:
    subject = _subject(page)
    withheld = bool(page.incident and page.incident.restricted)
    summary = messages.WITHHELD_TITLE if withheld else page.summary
    headline = f"Page: {summary}" + (f" ({page.incident.reference})" if page.incident else "")
    lines = [f"Reply ACK {page.ack_code} to acknowledge."] if kind == "sms" else []
    if page.details and not withheld:
        lines.append(page.details)
    if kind == "email":
        lines.append(f"Acknowledge: {ack_url(page, user_id)}")
    return {
        "type": "page.triggered",
        "timestamp": page.triggered_at.isoformat(),
        "data": {
            "incident": subject,
            "headline": headline,
            "text": "\n".join(lines),
            "details": {"page": page.pk, "ack_code": page.ack_code},
            "withheld": withheld,
            "page": {"id": page.pk, "ack_code": page.ack_code},
        },
    }


def sms_text(page: Page) -> str:
    data = payload(page, "sms", None)["data"]
    return f"{data['headline']}. {data['text']}"

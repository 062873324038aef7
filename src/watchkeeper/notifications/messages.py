"""What a message says: a snapshot of the incident when the event happened, and its wording.

The snapshot is the webhook payload (docs/notifications.md) and every other channel words it for its readers.
A restricted incident's details go only to the security route; everyone else hears that it needs attention.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.urls.exceptions import NoReverseMatch

from watchkeeper.incidents.models import Incident
from watchkeeper.notifications.models import Audience
from watchkeeper.web.formatting import when

# Issue 8: only these audiences may read what a security incident or breach is about.
SECURITY_ROUTE = frozenset({Audience.SECURITY.value, Audience.DATA_PROTECTION.value})
WITHHELD_TITLE = "Restricted incident"
WITHHELD_HEADLINE = "A restricted incident needs attention: {ref}"

HEADLINES = {
    "incident.declared": "{ref} declared: {title}",
    "incident.updated": "{ref} update: {title}",
    "incident.priority_changed": "{ref} is now {priority}: {title}",
    "incident.status_changed": "{ref} is {status}: {title}",
    "incident.role_changed": "{ref} roles changed: {title}",
    "incident.type_changed": "{ref} is now a {type_label}: {title}",
    "incident.resolved": "{ref} resolved: {title}",
    "incident.reopened": "{ref} reopened: {title}",
    "incident.closed": "{ref} closed: {title}",
    "reminder.update_due": "Reminder: an update on {ref} is due at {due}",
    "reminder.update_overdue": "Overdue: the update on {ref} was due at {due}",
    "escalation.update_overdue": "Escalation: no update on {ref} since it was due at {due}",
    "escalation.response_overdue": "Escalation: nobody has responded to {ref} ({priority}), due by {due}",
    "delivery.failed": "A message about {ref} could not be delivered",
    "breach.reminder": "Reminder: decide whether to report {ref} to the ICO by {due} ({hours} hours since awareness)",
    "breach.escalation": "Escalation: no decision on reporting {ref} to the ICO, due by {due}",
}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _incident_url(incident: Incident) -> str:
    try:
        path = reverse("incidents:incident", kwargs={"reference": incident.reference})
    except NoReverseMatch:
        path = f"/incidents/{incident.reference}/"
    return f"{settings.SITE_URL}{path}"


def snapshot(incident: Incident) -> dict[str, Any]:
    def name(user: Any) -> str | None:
        return user.get_full_name() or user.get_username() if user else None

    return {
        "reference": incident.reference,
        "title": incident.title,
        "url": _incident_url(incident),
        "service": incident.service.slug,
        "service_name": incident.service.name,
        "timezone": incident.service.timezone,
        "type": incident.type,
        "type_label": incident.type_enum.label,
        "priority": incident.priority,
        "status": incident.status,
        "restricted": incident.restricted,
        "incident_lead": name(incident.incident_lead),
        "comms_lead": name(incident.comms_lead),
        "reported_at": _iso(incident.reported_at),
        "declared_at": _iso(incident.declared_at),
        "respond_by": _iso(incident.respond_by),
        "response_met_at": _iso(incident.response_met_at),
        "next_update_due": _iso(incident.next_update_due),
        "resolved_at": _iso(incident.resolved_at),
    }


def withholds(incident: Incident, audience: str) -> bool:
    """True when a message to this audience must not say what the incident is about (routes without one included)."""
    return incident.restricted and audience not in SECURITY_ROUTE


def withheld_snapshot(incident: Incident) -> dict[str, Any]:
    """The same keys as snapshot(), so receivers parse it the same way, but nothing beyond the reference and link."""
    summary = dict.fromkeys(snapshot(incident))
    summary.update(reference=incident.reference, title=WITHHELD_TITLE, url=_incident_url(incident), restricted=True)
    return summary


def build_payload(
    event: str, incident: Incident, at: datetime, data: dict[str, Any], text: str = "", *, withheld: bool = False
) -> dict[str, Any]:
    """The Standard Webhooks envelope: type, timestamp and data."""
    if withheld:
        return {
            "type": event,
            "timestamp": at.isoformat(),
            "data": {
                "incident": withheld_snapshot(incident),
                "headline": WITHHELD_HEADLINE.format(ref=incident.reference),
                "text": "",
                "details": {},
                "withheld": True,
            },
        }
    summary = snapshot(incident)
    local_due = data.get("due")
    due_text = ""
    if local_due:
        zone = ZoneInfo(incident.service.timezone)
        due_text = datetime.fromisoformat(local_due).astimezone(zone).strftime("%H:%M on %-d %B")
    headline = HEADLINES.get(event, "{ref}: {title}").format(
        ref=incident.reference,
        title=incident.title,
        priority=incident.priority,
        status=incident.status,
        type_label=incident.type_enum.label,
        due=due_text,
        hours=data.get("hours", ""),
    )
    return {
        "type": event,
        "timestamp": at.isoformat(),
        "data": {"incident": summary, "headline": headline, "text": text, "details": data, "withheld": False},
    }


def facts(payload: dict[str, Any]) -> list[tuple[str, str]]:
    """The same labelled facts in every channel, in the order people scan them."""
    incident = payload["data"]["incident"]
    if payload["data"].get("withheld"):
        return [("Reference", incident["reference"])]
    rows = [
        ("Priority", incident["priority"]),
        ("Status", incident["status"].title()),
        ("Service", incident["service_name"]),
        ("Incident lead", incident["incident_lead"] or "Nobody yet"),
        ("Comms lead", incident["comms_lead"] or "Nobody yet"),
        ("Respond by", _short(incident["respond_by"], incident.get("timezone"))),
        ("Next update due", _short(incident["next_update_due"], incident.get("timezone")) or "None due"),
    ]
    return [(label, value) for label, value in rows if value]


def _short(value: str | None, tz: str | None) -> str:
    """The service's local time with its zone, as the pages show it ('Wed 2 Dec 2026, 03:20 GMT')."""
    if not value:
        return ""
    return when(datetime.fromisoformat(value), tz or settings.TIME_ZONE)


def plain_text(payload: dict[str, Any]) -> str:
    data = payload["data"]
    lines = [data["headline"], ""]
    if data["text"]:
        lines += [data["text"], ""]
    lines += [f"{label}: {value}" for label, value in facts(payload)]
    lines += ["", data["incident"]["url"]]
    return "\n".join(lines)

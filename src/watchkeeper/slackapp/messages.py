"""How incidents read in Slack: the summary with its buttons, one-line list entries and the help text."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from watchkeeper.incidents.models import Incident

# Action ids on Watchkeeper's buttons, shared with the notification messages; the value is the incident reference.
from watchkeeper.notifications.channels.slack import ACKNOWLEDGE, COMMS, LEAD, SNOOZE, UPDATE, escape
from watchkeeper.web import formatting

__all__ = ["ACKNOWLEDGE", "COMMS", "LEAD", "SNOOZE", "UPDATE", "button", "escape", "summary_blocks"]


def incident_url(incident: Incident) -> str:
    return settings.SITE_URL + reverse("incidents:incident", kwargs={"reference": incident.reference})


def report_url(incident: Incident) -> str:
    return settings.SITE_URL + reverse("reviews:report", kwargs={"reference": incident.reference})


def _name(user: Any) -> str:
    return user.get_username() if user else "nobody yet"


def one_line(incident: Incident) -> str:
    lock = " :lock:" if incident.restricted else ""
    return (
        f"<{incident_url(incident)}|{incident.reference}>{lock} {incident.priority} {incident.status}: "
        f"{escape(incident.title)} ({escape(incident.service.name)}, lead {escape(_name(incident.incident_lead))})"
    )


def topic(incident: Incident) -> str:
    return f"{incident.priority} · {incident.status} · Lead: {_name(incident.incident_lead)} · {incident.title}"[:250]


def facts(incident: Incident) -> list[tuple[str, str]]:
    now = timezone.now()
    tz = incident.service.timezone
    response = "met" if incident.response_met_at else formatting.relative(incident.respond_by, now)
    return [
        ("Service", escape(incident.service.name)),
        ("Priority", incident.priority),
        ("Status", incident.status),
        ("Incident lead", escape(_name(incident.incident_lead))),
        ("Comms lead", escape(_name(incident.comms_lead))),
        ("Reported", formatting.when(incident.reported_at, tz)),
        ("Response", f"{response} (respond by {formatting.when(incident.respond_by, tz)})"),
        ("Next update", formatting.relative(incident.next_update_due, now) if incident.is_open else "Nothing due"),
    ]


def button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": text},
        "action_id": action_id,
        "value": value,
    }
    if style:
        element["style"] = style
    return element


def summary_blocks(incident: Incident, *, with_buttons: bool = True) -> list[dict[str, Any]]:
    title = f"{incident.reference}: {incident.title}"[:150]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": title}},
        {
            "type": "section",
            "fields": [{"type": "mrkdwn", "text": f"*{label}*\n{value}"} for label, value in facts(incident)],
        },
    ]
    if incident.summary:
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": f"*Resolved:* {escape(incident.summary)}"[:3000]}}
        )
    elements = [
        {"type": "button", "text": {"type": "plain_text", "text": "Open the incident"}, "url": incident_url(incident)}
    ]
    if with_buttons and incident.is_open:
        elements = [
            button("I'll lead", LEAD, incident.reference, "primary"),
            button("I'll do comms", COMMS, incident.reference),
            button("Post update", UPDATE, incident.reference),
            *elements,
        ]
    blocks.append({"type": "actions", "elements": elements})
    return blocks


def summary_text(incident: Incident) -> str:
    """The plain text Slack shows in notifications and to screen readers before the blocks."""
    # Slack reads a message's text as mrkdwn too, so a title there could still ping a whole channel.
    return f"{incident.reference} {incident.priority} {incident.status}: {escape(incident.title)}"


def incident_list(incidents: Iterable[Incident]) -> str:
    lines = [f"• {one_line(incident)}" for incident in incidents]
    return "*Open incidents*\n" + "\n".join(lines) if lines else "No open incidents that you can see."


def help_text(command: str) -> str:
    return "\n".join(
        [
            f"*{command}* runs an incident from Slack. In an incident's channel, leave out the reference.",
            f"`{command} declare` opens a form; `{command} declare P2 <service> <title>` declares at once",
            f"`{command} lead [@person] [INC-…]`: take or hand over the incident lead",
            f"`{command} comms [@person] [INC-…]`: take or hand over comms",
            f"`{command} priority P2 [INC-…] <reason>`: change the priority and say why",
            f"`{command} status <investigating|identified|monitoring> [INC-…]`",
            f"`{command} update [INC-…] <text>`: a stakeholder update (resets the update clock)",
            f"`{command} note [INC-…] <text>`: a note on the timeline",
            f"`{command} resolve [INC-…] <summary>`: resolve with how it was fixed",
            f"`{command} oncall [schedule] [ISO time]`: who is on call now (or then), on every schedule or one",
            f"`{command} page <policy|@person> [INC-…] <what is wrong>`: page them; in an incident's channel, for it",
            f"`{command} alerts [service]`: open alert groups, to acknowledge, resolve or declare from;"
            f" `{command} alerts link <group id> [INC-…]` links one to an incident",
            f"`{command} show [INC-…]`, `{command} list`, `{command} help`",
        ]
    )

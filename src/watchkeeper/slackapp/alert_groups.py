"""Alert groups from Slack: the open ones with buttons to acknowledge, resolve or declare, and linking to an incident.

    /incident alerts [service]                          open groups, each with its buttons
    /incident alerts link <group id> [INC-…]           link a group to an incident (in its channel, no reference)

The buttons carry the group id and call the same alerts service functions as the web page and the API, so the
same rules hold: only responders act, a resolved group is history, a group declares at most one incident.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.http import Http404
from django.urls import reverse
from slack_bolt import Ack, App
from slack_sdk import WebClient

from watchkeeper.alerts import queries
from watchkeeper.alerts.models import AlertGroup
from watchkeeper.alerts.services import declaring, groups
from watchkeeper.incidents.visibility import can_see
from watchkeeper.slackapp import messages
from watchkeeper.slackapp.command_text import REFERENCE, Context, Parsed, Reply, incident_for
from watchkeeper.slackapp.errors import CommandError, explain, tell
from watchkeeper.slackapp.services import people
from watchkeeper.web import formatting

ACKNOWLEDGE = "alert_group_acknowledge"
RESOLVE = "alert_group_resolve"
DECLARE = "alert_group_declare"
# Two blocks a group, under Slack's 50 blocks a message.
SHOWN = 15


def group_url(group: AlertGroup) -> str:
    return settings.SITE_URL + reverse("alerts:group", kwargs={"pk": group.pk})


def group_blocks(user: User, group: AlertGroup) -> list[dict[str, Any]]:
    count = len(group.alerts.all())
    service = group.integration.service
    facts = [
        group.get_status_display(),
        f"{count} alert{'' if count == 1 else 's'}",
        messages.escape(f"{group.integration.name} on {service.name}"),
        f"opened {formatting.when(group.opened_at, service.timezone)}",
    ]
    if group.incident is not None and can_see(user, group.incident):
        facts.append(f"part of {group.incident.reference}")
    title = messages.escape(group.title[:200])
    text = f"*<{group_url(group)}|{title}>* (group {group.pk})\n" + " · ".join(facts)
    buttons = []
    if group.status == "firing":
        buttons.append(messages.button("Acknowledge", ACKNOWLEDGE, str(group.pk), "primary"))
    if group.is_open:
        buttons.append(messages.button("Resolve", RESOLVE, str(group.pk)))
    if group.incident_id is None:
        buttons.append(messages.button("Declare and lead", DECLARE, str(group.pk), "danger"))
    blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}]
    if buttons:
        blocks.append({"type": "actions", "elements": buttons})
    return blocks


def _group(text: str) -> AlertGroup:
    found = queries.groups().filter(pk=int(text)).first() if text.isdigit() and len(text) < 12 else None
    if found is None:
        raise Http404(f"No alert group {text}")
    return found


def _link(context: Context, words: list[str]) -> Reply:
    if not words:
        raise CommandError(f"Use `{context.command} alerts link <group id> [INC-…]`, with the id the list shows.")
    group = _group(words[0])
    reference = next((word.upper() for word in words[1:] if REFERENCE.match(word)), None)
    incident = incident_for(context, reference)
    declaring.link_group(context.actor, group, incident)
    return Reply(f"Alert group {group.pk} is now part of {incident.reference}.")


def open_groups(context: Context, parsed: Parsed) -> Reply:
    words = parsed.words
    if words and words[0].lower() == "link":
        return _link(context, words[1:])
    service = words[0].lower() if words else None
    found = list(queries.groups(status="open", service=service)[: SHOWN + 1])
    where = f" on {service}" if service else ""
    if not found:
        return Reply(f"No open alert groups{where}.")
    blocks = [block for group in found[:SHOWN] for block in group_blocks(context.actor, group)]
    more = f" (the newest {SHOWN}; the rest are on the alerts page)" if len(found) > SHOWN else ""
    heading = f"Open alert groups{where}{more}"
    return Reply(heading, [{"type": "header", "text": {"type": "plain_text", "text": heading[:150]}}, *blocks])


HANDLERS: dict[str, Callable[[Context, Parsed], Reply]] = {"alerts": open_groups}


def _acknowledge(actor: User, group: AlertGroup) -> str:
    groups.acknowledge_group(actor, group, via="slack")
    return f"You acknowledged the alert group {group.pk}: {messages.escape(group.title)}."


def _resolve(actor: User, group: AlertGroup) -> str:
    groups.resolve_group(actor, group, via="slack")
    return f"You resolved the alert group {group.pk}. A new alert from its sender opens a new group."


def _declare(actor: User, group: AlertGroup) -> str:
    incident = declaring.declare_from_group(actor, group, take_lead=True)
    return f"You declared {messages.summary_text(incident)} and lead it."


BUTTONS: dict[str, Callable[[User, AlertGroup], str]] = {
    ACKNOWLEDGE: _acknowledge,
    RESOLVE: _resolve,
    DECLARE: _declare,
}


def _button(ack: Ack, body: dict[str, Any], client: WebClient, action: dict[str, Any]) -> None:
    ack()
    slack_id = body["user"]["id"]
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    try:
        actor = people.acting_user(client, slack_id)
        text = BUTTONS[action["action_id"]](actor, _group(str(action.get("value", ""))))
    except Exception as error:
        text = explain(error)
    tell(client, slack_id, text, channel=channel)


def register(app: App) -> None:
    for action_id in BUTTONS:
        app.action(action_id)(_button)

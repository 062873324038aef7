"""The Acknowledge button on a page's Slack message, and taking an offered on-call shift from Slack."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from watchkeeper.notifications.channels.slack import PAGE_ACKNOWLEDGE
from watchkeeper.oncall import services
from watchkeeper.oncall.models import Page, Swap
from watchkeeper.slackapp.errors import explain, tell
from watchkeeper.slackapp.services import people

TAKE_SWAP = "oncall_take_swap"


def _acknowledge(ack: Ack, body: dict[str, Any], client: WebClient, action: dict[str, Any]) -> None:
    ack()
    slack_id = body["user"]["id"]
    channel = (body.get("channel") or {}).get("id")
    try:
        actor = people.acting_user(client, slack_id)
        page = Page.objects.filter(pk=int(action["value"])).first()
        if page is None:
            text = "That page no longer exists."
        else:
            done = services.acknowledge_page(page, user=actor, via="slack")
            first = done.acknowledged_by.get_username() if done.acknowledged_by else "someone"
            text = (
                "You acknowledged the page."
                if done.acknowledged_by_id == actor.pk
                else f"{first} acknowledged it first."
            )
    except Exception as error:
        text = explain(error)
    tell(client, slack_id, text, channel=channel)


def _take_swap(ack: Ack, body: dict[str, Any], client: WebClient, action: dict[str, Any]) -> None:
    ack()
    slack_id = body["user"]["id"]
    channel = (body.get("channel") or {}).get("id")
    try:
        actor = people.acting_user(client, slack_id)
        swap = Swap.objects.select_related("offered_by").get(pk=int(action["value"]))
        services.take_swap(actor, swap)
        text = f"You now cover {swap.offered_by.get_username()}'s shift."
    except Exception as error:
        text = explain(error)
    tell(client, slack_id, text, channel=channel)


def register(app: App) -> None:
    app.action(PAGE_ACKNOWLEDGE)(_acknowledge)
    app.action(TAKE_SWAP)(_take_swap)

"""The Bolt app: slash commands, the reaction that pins a message to the timeline, and the wiring of everything.

Listeners run before the response goes back (``process_before_response``): each does a little database work
and at most one Slack call (views.open must happen within the trigger's 3 seconds anyway), so Slack hears back
well within its 3 seconds, and the work uses the request's own database connection. Channel creation and
other slow Slack work is enqueued as tasks by the incident event handlers (slackapp.handlers).
"""

from __future__ import annotations

import functools
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from watchkeeper.incidents import queries
from watchkeeper.slackapp import command_text, commands, conf, interactions, modals, pages
from watchkeeper.slackapp.errors import explain, tell
from watchkeeper.slackapp.interactions import add_message, timeline_text
from watchkeeper.slackapp.models import IncidentChannel
from watchkeeper.slackapp.services import people


def on_command(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    text = body.get("text", "").strip()
    try:
        actor = people.acting_user(client, body["user_id"])
        if text.lower() == "declare":
            client.views_open(trigger_id=body["trigger_id"], view=modals.declare_view(actor, body["channel_id"]))
            ack()
            return
        context = command_text.Context(
            actor, body["user_id"], body["channel_id"], client, body.get("command", "/incident")
        )
        reply = commands.run(context, text)
    except Exception as error:
        ack(text=explain(error), response_type="ephemeral")
        return
    ack(text=reply.text, blocks=reply.blocks, response_type="in_channel" if reply.in_channel else "ephemeral")


def on_reaction(event: dict[str, Any], client: WebClient) -> None:
    item = event.get("item", {})
    if event.get("reaction") != conf.pin_reaction() or item.get("type") != "message":
        return
    channel = IncidentChannel.objects.select_related("incident").filter(channel_id=item.get("channel")).first()
    if channel is None:
        # Outside an incident's channel a pin is just a pin.
        return
    try:
        actor = people.acting_user(client, event["user"])
        incident = queries.get_incident(actor, channel.incident.reference)
        history = client.conversations_history(channel=item["channel"], latest=item["ts"], inclusive=True, limit=1)
        messages: list[dict[str, Any]] = history.get("messages", [])
        found = [message for message in messages if message.get("ts") == item["ts"]]
        if not found:
            tell(client, event["user"], "That message could not be read, so it was not added.", channel=item["channel"])
            return
        if add_message(actor, incident, timeline_text(client, found[0])):
            tell(client, event["user"], f"Added to the timeline of {incident.reference}.", channel=item["channel"])
    except Exception as error:
        tell(client, event["user"], explain(error), channel=item.get("channel"))


def build_app() -> App:
    """The app for the current settings, built once: building it per request would repeat Bolt's set-up."""
    return _build(conf.bot_token(), conf.signing_secret(), conf.api_url(), conf.command_name())


@functools.lru_cache(maxsize=4)
def _build(token: str, secret: str, api_url: str, command: str) -> App:
    """One app for both transports: HTTP requests are verified by signature, Socket Mode ones by the socket."""
    app = App(
        client=conf.web_client(token, api_url),
        signing_secret=secret,
        token_verification_enabled=False,
        process_before_response=True,
    )
    app.command(command)(on_command)
    app.event("reaction_added")(on_reaction)
    interactions.register(app)
    pages.register(app)
    return app

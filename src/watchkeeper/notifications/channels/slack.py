"""Slack: a bot posting Block Kit messages (one thread per incident, the first message kept current), or a webhook."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError

from watchkeeper.notifications import messages
from watchkeeper.notifications.channels import Outgoing, Permanent, Sent, Transient, parse_retry_after
from watchkeeper.notifications.channels.http import post_json

# Slack's own errors that clear up by themselves; anything else (channel_not_found, invalid_auth…) will not.
TRANSIENT_ERRORS = {"ratelimited", "rate_limited", "internal_error", "fatal_error", "service_unavailable"}

# Button action ids the Slack app (watchkeeper.slackapp) answers; the value is always the incident reference.
LEAD = "incident_lead"
COMMS = "incident_comms"
UPDATE = "incident_update"
ACKNOWLEDGE = "reminder_acknowledge"
SNOOZE = "reminder_snooze"
# On-call pages (watchkeeper.oncall): the value is the page id.
PAGE_ACKNOWLEDGE = "page_acknowledge"


def escape(text: str) -> str:
    """Text people typed, made safe for mrkdwn: Slack reads <!channel>, <@U123> and <url|label> as control sequences.

    Slack asks for exactly these three replacements (https://api.slack.com/reference/surfaces/formatting#escaping).
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _button(text: str, action_id: str, reference: str) -> dict[str, Any]:
    return {"type": "button", "text": {"type": "plain_text", "text": text}, "action_id": action_id, "value": reference}


def buttons(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """What a person can do from the message: take a role, post an update, or answer a reminder."""
    incident = payload["data"]["incident"]
    reference = incident["reference"]
    if payload["type"].startswith("page."):
        page = str(payload["data"]["page"]["id"])
        opened = {"type": "button", "text": {"type": "plain_text", "text": "Open the page"}, "url": incident["url"]}
        return [opened, {**_button("Acknowledge", PAGE_ACKNOWLEDGE, page), "style": "primary"}]
    found = [{"type": "button", "text": {"type": "plain_text", "text": "Open the incident"}, "url": incident["url"]}]
    if payload["data"].get("withheld") or incident["status"] in {"resolved", "closed"}:
        return found
    if payload["type"].startswith(("reminder.", "escalation.")):
        return [*found, _button("Acknowledge", ACKNOWLEDGE, reference), _button("Snooze 30 minutes", SNOOZE, reference)]
    if not incident["incident_lead"]:
        found.append(_button("I'll lead", LEAD, reference))
    if not incident["comms_lead"]:
        found.append(_button("I'll do comms", COMMS, reference))
    return [*found, _button("Post update", UPDATE, reference)]


def blocks(payload: dict[str, Any], *, current: bool = False) -> list[dict[str, Any]]:
    data = payload["data"]
    incident = data["incident"]
    title = f"{incident['reference']}: {incident['title']}" if current else data["headline"]
    result: list[dict[str, Any]] = [{"type": "header", "text": {"type": "plain_text", "text": title[:150]}}]
    if data["text"] and not current:
        result.append({"type": "section", "text": {"type": "mrkdwn", "text": escape(data["text"])[:3000]}})
    fields = [{"type": "mrkdwn", "text": f"*{label}*\n{escape(value)}"} for label, value in messages.facts(payload)]
    result.append({"type": "section", "fields": fields[:10]})
    result.append({"type": "actions", "elements": buttons(payload)})
    return result


class SlackTransport:
    def send(self, message: Outgoing) -> Sent:
        token = message.secret or settings.SLACK_BOT_TOKEN
        if not token:
            raise Permanent("no Slack bot token: give the channel a secret or set SLACK_BOT_TOKEN")
        client = WebClient(token=token, base_url=settings.SLACK_API_URL, timeout=int(message.timeout))
        # The fallback text is read as mrkdwn too: a title in it must not ping a channel.
        text = escape(message.payload["data"]["headline"])
        try:
            if message.thread is None:
                posted = client.chat_postMessage(channel=message.recipient, text=text, blocks=blocks(message.payload))
                ts = str(posted["ts"])
                return Sent(external_id=ts, thread=(str(posted["channel"]), ts))
            conversation, root = message.thread
            posted = client.chat_postMessage(
                channel=conversation, thread_ts=root, text=text, blocks=blocks(message.payload)
            )
            # The first message is what people see in the channel, so it shows the incident as it is now.
            client.chat_update(channel=conversation, ts=root, text=text, blocks=blocks(message.payload, current=True))
            return Sent(external_id=str(posted["ts"]))
        except SlackApiError as error:
            status = error.response.status_code
            code = str(error.response.get("error", ""))
            detail = f"Slack {status} {code}"
            if status == 429 or status >= 500 or code in TRANSIENT_ERRORS:
                raise Transient(detail, parse_retry_after(error.response.headers.get("Retry-After"))) from error
            raise Permanent(detail) from error
        except (SlackRequestError, OSError) as error:
            raise Transient(f"Slack unreachable: {error}") from error


class SlackWebhookTransport:
    def send(self, message: Outgoing) -> Sent:
        text = escape(message.payload["data"]["headline"])
        post_json(message.secret, {"text": text, "blocks": blocks(message.payload)}, message.timeout)
        return Sent()

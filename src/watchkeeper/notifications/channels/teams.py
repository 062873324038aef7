"""Microsoft Teams through a Workflows incoming webhook, as an Adaptive Card."""

from __future__ import annotations

from typing import Any

from watchkeeper.notifications import messages
from watchkeeper.notifications.channels import Outgoing, Sent
from watchkeeper.notifications.channels.http import post_json


def adaptive_card(payload: dict[str, Any]) -> dict[str, Any]:
    data = payload["data"]
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "size": "Large", "weight": "Bolder", "wrap": True, "text": data["headline"]}
    ]
    if data["text"]:
        body.append({"type": "TextBlock", "wrap": True, "text": data["text"]})
    body.append({"type": "FactSet", "facts": [{"title": k, "value": v} for k, v in messages.facts(payload)]})
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
        "actions": [{"type": "Action.OpenUrl", "title": "Open the incident", "url": data["incident"]["url"]}],
    }
    return {
        "type": "message",
        "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "content": card}],
    }


class TeamsTransport:
    def send(self, message: Outgoing) -> Sent:
        post_json(message.secret, adaptive_card(message.payload), message.timeout)
        return Sent()

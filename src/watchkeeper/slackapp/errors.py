"""Every failure becomes a sentence for the person who asked: nothing fails silently in Slack."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from watchkeeper.incidents.services import Conflict
from watchkeeper.slackapp.services.people import UnknownPerson

log = logging.getLogger(__name__)


class CommandError(Exception):
    """Input that cannot be understood; the message says what to type instead."""


def field_messages(error: ValidationError) -> dict[str, str]:
    if hasattr(error, "error_dict"):
        return {field: "; ".join(str(m) for m in messages) for field, messages in error.message_dict.items()}
    return {"__all__": "; ".join(error.messages)}


def explain(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return ":warning: " + "; ".join(field_messages(error).values())
    if isinstance(error, PermissionDenied):
        return f":no_entry: {error or 'You cannot do that'}. Ask an admin if you need responder access."
    if isinstance(error, Http404):
        return f":mag: {error}"
    if isinstance(error, Conflict | CommandError | UnknownPerson):
        return f":warning: {error}"
    log.exception("Slack request failed", exc_info=error)
    return ":x: Something went wrong in Watchkeeper. Check the incident in the web app before trying again."


def tell(client: WebClient, user: str, text: str, *, channel: str | None = None, blocks: Any = None) -> None:
    """An ephemeral message to one person; a direct message when the channel is unknown or the bot is not in it."""
    if channel:
        try:
            client.chat_postEphemeral(channel=channel, user=user, text=text, blocks=blocks)
            return
        except SlackApiError as error:
            log.info("Ephemeral message to %s in %s failed (%s); sending it directly", user, channel, error)
    client.chat_postMessage(channel=user, text=text, blocks=blocks)

"""What a `/incident` command says: its words split into subcommand, reference, mention, priority and status,
the incident it is about, and the context and reply every subcommand shares (incident, on-call and alerts)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from slack_sdk import WebClient

from watchkeeper.domain.workflow import Status
from watchkeeper.incidents import queries
from watchkeeper.incidents.models import Incident
from watchkeeper.slackapp.errors import CommandError
from watchkeeper.slackapp.models import IncidentChannel

REFERENCE = re.compile(r"^INC-\d{4}-\d+$", re.IGNORECASE)
# Slack escapes mentions in command text as <@U123ABC|name> when the command has should_escape on.
MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
PRIORITY = re.compile(r"^P[1-4]$", re.IGNORECASE)


@dataclass
class Reply:
    text: str
    blocks: list[dict[str, Any]] | None = None
    in_channel: bool = False


@dataclass
class Context:
    """Who asked, where, and how to reach Slack for what the text alone cannot say."""

    actor: User
    slack_user: str
    channel_id: str
    client: WebClient
    command: str = "/incident"


@dataclass
class Parsed:
    name: str
    reference: str | None = None
    mention: str | None = None
    priority: str | None = None
    status: str | None = None
    rest: str = ""
    words: list[str] = field(default_factory=list)


def parse(text: str) -> Parsed:
    """Splits the leading reference, mention, priority and status words from the free text after them."""
    words = text.split()
    if not words:
        return Parsed("help")
    parsed = Parsed(words[0].lower(), words=words[1:])
    remaining = words[1:]
    while remaining:
        word = remaining[0]
        if REFERENCE.match(word) and parsed.reference is None:
            parsed.reference = word.upper()
        elif (match := MENTION.match(word)) and parsed.mention is None:
            parsed.mention = match.group(1)
        elif PRIORITY.match(word) and parsed.priority is None and parsed.name in {"priority", "declare"}:
            parsed.priority = word.upper()
        elif parsed.name == "status" and parsed.status is None and word.lower() in set(Status):
            parsed.status = word.lower()
        else:
            break
        remaining = remaining[1:]
    parsed.rest = " ".join(remaining)
    return parsed


def incident_for(context: Context, reference: str | None) -> Incident:
    """The named incident, or the one whose channel this is; visibility rules apply to both."""
    if reference is None:
        channel = IncidentChannel.objects.select_related("incident").filter(channel_id=context.channel_id).first()
        if channel is None:
            raise CommandError(
                "Which incident? Add its reference, like INC-2026-0042, or run the command in the incident's channel."
            )
        reference = channel.incident.reference
    return queries.get_incident(context.actor, reference)

"""`/incident` subcommands: parse the text Slack sends, then call the incident service functions.

In an incident's channel a command acts on that incident; elsewhere it takes a reference anywhere among
its leading words (`/incident update INC-2026-0042 Card payments are back`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from slack_sdk import WebClient

from watchkeeper.catalogue.models import Service
from watchkeeper.domain.priority import Priority
from watchkeeper.domain.workflow import Status
from watchkeeper.incidents import queries, services
from watchkeeper.incidents.models import Incident
from watchkeeper.slackapp import messages, people
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


def _person(context: Context, slack_id: str | None) -> User:
    if slack_id is None:
        return context.actor
    try:
        return people.acting_user(context.client, slack_id)
    except people.UnknownPerson as error:
        raise CommandError(f"<@{slack_id}> has no Watchkeeper account with their Slack email address.") from error


def _role(role: str, label: str) -> Callable[[Context, Parsed], Reply]:
    def run(context: Context, parsed: Parsed) -> Reply:
        incident = incident_for(context, parsed.reference)
        person = _person(context, parsed.mention)
        incident = services.assign_role(context.actor, incident, role, person)
        return Reply(f"{person.get_username()} is {label} of {incident.reference}.")

    return run


def declare(context: Context, parsed: Parsed) -> Reply:
    words = parsed.rest.split()
    if parsed.priority is None or len(words) < 2:
        raise CommandError(f"Declare with `{context.command} declare P2 <service> <title>`, or no text for a form.")
    service = Service.objects.filter(slug=words[0].lower()).first()
    if service is None:
        slugs = ", ".join(Service.objects.values_list("slug", flat=True)[:20])
        raise CommandError(f"No service called {words[0]!r}. Services: {slugs or 'none yet'}.")
    incident = services.declare(context.actor, title=" ".join(words[1:]), service=service, priority=parsed.priority)
    return Reply(
        f"<@{context.slack_user}> declared {messages.summary_text(incident)}",
        messages.summary_blocks(incident),
        # Declaring is news for everyone in the channel; any other answer is for the person who asked.
        in_channel=not incident.restricted,
    )


def priority(context: Context, parsed: Parsed) -> Reply:
    if parsed.priority is None or not parsed.rest:
        raise CommandError(f"Use `{context.command} priority P2 <reason>`, for example P2 card payments failing.")
    incident = services.change_priority(
        context.actor, incident_for(context, parsed.reference), Priority.parse(parsed.priority), parsed.rest
    )
    return Reply(f"{incident.reference} is {incident.priority}.")


def status(context: Context, parsed: Parsed) -> Reply:
    if parsed.status is None:
        raise CommandError(f"Use `{context.command} status investigating|identified|monitoring [note]`.")
    incident = services.change_status(
        context.actor, incident_for(context, parsed.reference), parsed.status, parsed.rest
    )
    return Reply(f"{incident.reference} is {incident.status}.")


def update(context: Context, parsed: Parsed) -> Reply:
    incident = incident_for(context, parsed.reference)
    services.post_update(context.actor, incident, parsed.rest)
    return Reply(f"Update posted on {incident.reference}.")


def note(context: Context, parsed: Parsed) -> Reply:
    incident = incident_for(context, parsed.reference)
    services.add_note(context.actor, incident, parsed.rest)
    return Reply(f"Note added to the timeline of {incident.reference}.")


def resolve(context: Context, parsed: Parsed) -> Reply:
    incident = services.resolve(context.actor, incident_for(context, parsed.reference), parsed.rest)
    return Reply(f"{incident.reference} is resolved.", messages.summary_blocks(incident))


def show(context: Context, parsed: Parsed) -> Reply:
    incident = incident_for(context, parsed.reference)
    return Reply(messages.summary_text(incident), messages.summary_blocks(incident))


def list_open(context: Context, parsed: Parsed) -> Reply:
    service = parsed.rest.split()[0].lower() if parsed.rest else None
    incidents = queries.open_incidents(context.actor, queries.Filters(service=service))[:30]
    return Reply(messages.incident_list(incidents))


def help_reply(context: Context, parsed: Parsed) -> Reply:
    return Reply(messages.help_text(context.command))


HANDLERS: dict[str, Callable[[Context, Parsed], Reply]] = {
    "declare": declare,
    "lead": _role("incident_lead", "incident lead"),
    "comms": _role("comms_lead", "comms lead"),
    "priority": priority,
    "status": status,
    "update": update,
    "note": note,
    "resolve": resolve,
    "show": show,
    "list": list_open,
    "help": help_reply,
}


def run(context: Context, text: str) -> Reply:
    # On call's and alerts' subcommands build on this module's Context and Reply, so they are looked up when a
    # command runs.
    from watchkeeper.slackapp import alert_groups, oncall_commands

    parsed = parse(text)
    handler = (
        HANDLERS.get(parsed.name) or oncall_commands.HANDLERS.get(parsed.name) or alert_groups.HANDLERS.get(parsed.name)
    )
    if handler is None:
        raise CommandError(f"There is no `{parsed.name}` subcommand. Try `{context.command} help`.")
    return handler(context, parsed)

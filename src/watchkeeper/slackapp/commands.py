"""`/incident` subcommands: parse the text Slack sends, then call the incident service functions.

In an incident's channel a command acts on that incident; elsewhere it takes a reference anywhere among
its leading words (`/incident update INC-2026-0042 Card payments are back`).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import User

from watchkeeper.catalogue.models import Service
from watchkeeper.domain.priority import Priority
from watchkeeper.incidents import queries, services
from watchkeeper.slackapp import alert_groups, messages, oncall_commands
from watchkeeper.slackapp.command_text import Context, Parsed, Reply, incident_for, parse
from watchkeeper.slackapp.errors import CommandError
from watchkeeper.slackapp.services import people


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
    parsed = parse(text)
    handler = (
        HANDLERS.get(parsed.name) or oncall_commands.HANDLERS.get(parsed.name) or alert_groups.HANDLERS.get(parsed.name)
    )
    if handler is None:
        raise CommandError(f"There is no `{parsed.name}` subcommand. Try `{context.command} help`.")
    return handler(context, parsed)

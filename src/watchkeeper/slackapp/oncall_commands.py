"""`/incident oncall` and `/incident page`: who is on call, and waking them, from Slack.

`oncall [SCHEDULE] [ISO time]` answers what `watchkeeper oncall [--schedule SLUG] [--at ISO]` prints: each
schedule's person on call, until when, and from which layer or override. `page` pages an escalation policy or a
person, through the same service function as the web, the API and the CLI:

    /incident page platform-24x7 Disk full on db-1          a policy, by its short name
    /incident page @alice INC-2026-0042                       a person, for an incident (its summary is the page's)

In an incident's channel the page belongs to that incident: whoever acknowledges it becomes its lead if it has none.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from watchkeeper.accounts.roles import can_act
from watchkeeper.incidents import queries as incident_queries
from watchkeeper.incidents.models import Incident
from watchkeeper.incidents.visibility import can_act_on
from watchkeeper.oncall import queries, services
from watchkeeper.oncall.models import EscalationPolicy, Schedule
from watchkeeper.slackapp import messages
from watchkeeper.slackapp.command_text import Context, Parsed, Reply
from watchkeeper.slackapp.errors import CommandError
from watchkeeper.slackapp.models import IncidentChannel
from watchkeeper.slackapp.services import people
from watchkeeper.web import formatting


def _instant(word: str) -> datetime | None:
    try:
        found = datetime.fromisoformat(word)
    except ValueError:
        return None
    if found.tzinfo is None:
        raise CommandError(f"{word} has no UTC offset: add one, such as +00:00 or Z.")
    return found


def _line(schedule: Schedule, at: datetime) -> str:
    shift = queries.on_call(schedule, at)
    who = messages.escape(shift.user) if shift.user else "*nobody* (a gap in the rota)"
    until = formatting.when(shift.end, schedule.time_zone)
    source = f" ({shift.source})" if shift.source else ""
    return f"• *{messages.escape(schedule.name)}* `{schedule.slug}`: {who} until {until}{source}"


def who_is_on_call(context: Context, parsed: Parsed) -> Reply:
    words = parsed.words
    at, asked = timezone.now(), None
    if words and (asked := _instant(words[-1])) is not None:
        at, words = asked, words[:-1]
    found = queries.schedules()
    if words:
        found = found.filter(slug=words[0].lower())
        if not found.exists():
            slugs = ", ".join(Schedule.objects.values_list("slug", flat=True)[:20])
            raise CommandError(f"No schedule called {words[0]!r}. Schedules: {slugs or 'none yet'}.")
    lines = [_line(schedule, at) for schedule in found]
    if not lines:
        return Reply("No on-call schedules yet: an admin adds them on the Who is on call page.")
    heading = f"*Who is on call at {formatting.when(at)}*" if asked else "*Who is on call now*"
    return Reply("\n".join([heading, *lines]))


def _channel_incident(context: Context, reference: str | None) -> Incident | None:
    """The named incident, or the one whose channel this is; no incident at all is fine for a page."""
    if reference is None:
        channel = IncidentChannel.objects.select_related("incident").filter(channel_id=context.channel_id).first()
        if channel is None:
            return None
        reference = channel.incident.reference
    return incident_queries.get_incident(context.actor, reference)


def _who(context: Context, parsed: Parsed) -> tuple[EscalationPolicy | None, list[User], str]:
    """The policy or person to page, and the words left for the summary."""
    if parsed.mention is not None:
        try:
            return None, [people.acting_user(context.client, parsed.mention)], parsed.rest
        except people.UnknownPerson as error:
            raise CommandError(f"<@{parsed.mention}> has no Watchkeeper account with their Slack email.") from error
    words = parsed.rest.split()
    if not words:
        raise CommandError(
            f"Page whom? `{context.command} page <policy> <what is wrong>` or `{context.command} page @person …`."
        )
    policy = EscalationPolicy.objects.filter(slug=words[0].lower()).first()
    if policy is None:
        slugs = ", ".join(EscalationPolicy.objects.values_list("slug", flat=True)[:20])
        raise CommandError(f"No escalation policy called {words[0]!r}. Policies: {slugs or 'none yet'}.")
    return policy, [], " ".join(words[1:])


def page(context: Context, parsed: Parsed) -> Reply:
    if not can_act(context.actor):
        raise PermissionDenied("Only responders can page people")
    incident = _channel_incident(context, parsed.reference)
    if incident is not None and not can_act_on(context.actor, incident):
        raise PermissionDenied("You cannot act on this incident")
    policy, users, summary = _who(context, parsed)
    if not summary and incident is not None:
        summary = f"{incident.reference} ({incident.priority}): {incident.title}"
    if not summary:
        raise CommandError("Say what is wrong after whom to page, so they know before they open anything.")
    found = services.trigger_page(
        summary=summary, policy=policy, users=users, incident=incident, source="slack", actor=context.actor
    )
    whom = f"the {policy.name} policy" if policy else ", ".join(u.get_username() for u in users)
    about = f" for {incident.reference}" if incident else ""
    return Reply(
        f"<@{context.slack_user}> paged {messages.escape(whom)}{about}: page {found.pk}, not yet acknowledged.",
        # In an incident's channel the response team should see who was woken; a restricted one stays quiet.
        in_channel=incident is not None and not incident.restricted,
    )


HANDLERS: dict[str, Callable[[Context, Parsed], Reply]] = {"oncall": who_is_on_call, "page": page}

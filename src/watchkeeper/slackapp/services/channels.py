"""Incident channels: created on declaration, kept current while the incident runs, archived when it closes.

These functions talk to Slack and run only in tasks, never inside a request or a transaction of a change.
"""

from __future__ import annotations

import logging

from django.contrib.auth.models import User
from django.utils.text import slugify
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from watchkeeper.incidents.models import Incident
from watchkeeper.slackapp import messages
from watchkeeper.slackapp.models import ChannelPolicy, IncidentChannel
from watchkeeper.slackapp.services import people

log = logging.getLogger(__name__)

# Slack's own answers when an invitation is not needed or not possible; the rest of the work carries on.
HARMLESS_INVITE_ERRORS = {"already_in_channel", "cant_invite_self", "user_not_found", "user_is_restricted"}
NAME_ATTEMPTS = 5
# Said in a public channel when its incident becomes restricted: no title, no details.
RESTRICTED_NOTE = "This incident is now restricted; discussion has moved to a private channel."


def channel_name(incident: Incident, attempt: int = 1) -> str:
    """`inc-2026-0042-payments-failing`: lower case, at most 80 characters, as Slack requires."""
    suffix = f"-{attempt}" if attempt > 1 else ""
    base = f"{incident.reference.lower()}-{slugify(incident.title)}"
    return base[: 80 - len(suffix)].rstrip("-_") + suffix


def _people(incident: Incident) -> list[User]:
    found = [incident.declared_by, incident.incident_lead, incident.comms_lead, incident.technical_lead]
    return [user for user in found if user is not None]


def invite(client: WebClient, channel: IncidentChannel, incident: Incident) -> None:
    policy = ChannelPolicy.objects.filter(service=incident.service).first()
    ids = [slack_id.strip() for slack_id in (policy.invite if policy else "").split(",") if slack_id.strip()]
    ids += [slack_id for user in _people(incident) if (slack_id := people.slack_id_for(client, user))]
    # One at a time: Slack refuses a whole batch when one member in it is already there.
    for slack_id in dict.fromkeys(ids):
        try:
            client.conversations_invite(channel=channel.channel_id, users=slack_id)
        except SlackApiError as error:
            if error.response.get("error") not in HARMLESS_INVITE_ERRORS:
                raise


def _new_conversation(client: WebClient, incident: Incident) -> tuple[str, str]:
    """Creates the channel, numbering the name while it is taken; returns its id and name."""
    for attempt in range(1, NAME_ATTEMPTS + 1):
        name = channel_name(incident, attempt)
        try:
            created = client.conversations_create(name=name, is_private=incident.restricted)
            return str(created["channel"]["id"]), name
        except SlackApiError as error:
            if error.response.get("error") != "name_taken" or attempt == NAME_ATTEMPTS:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def create(client: WebClient, incident: Incident) -> IncidentChannel:
    existing = IncidentChannel.objects.filter(incident=incident).first()
    if existing is not None:
        refresh(client, incident, existing)
        return existing
    channel_id, name = _new_conversation(client, incident)
    # Saved at once, so commands typed in the channel find their incident while the rest is set up.
    channel = IncidentChannel.objects.create(incident=incident, channel_id=channel_id, name=name)
    _set_up(client, incident, channel)
    return channel


def _set_up(client: WebClient, incident: Incident, channel: IncidentChannel) -> None:
    invite(client, channel, incident)
    client.conversations_setTopic(channel=channel.channel_id, topic=messages.topic(incident))
    posted = client.chat_postMessage(
        channel=channel.channel_id, text=messages.summary_text(incident), blocks=messages.summary_blocks(incident)
    )
    channel.summary_ts = str(posted["ts"])
    channel.save(update_fields=["summary_ts"])
    client.pins_add(channel=channel.channel_id, timestamp=channel.summary_ts)
    client.bookmarks_add(
        channel_id=channel.channel_id, title="Incident page", type="link", link=messages.incident_url(incident)
    )
    client.bookmarks_add(
        channel_id=channel.channel_id, title="Incident report", type="link", link=messages.report_url(incident)
    )


def _withdraw(client: WebClient, incident: Incident, channel: IncidentChannel) -> None:
    """Leaves the public channel saying nothing more about the incident, then archives it.

    Its name, topic and pinned summary carry the title, so they go first; what people wrote there stays.
    """
    try:
        client.conversations_rename(channel=channel.channel_id, name=f"{incident.reference.lower()}-restricted")
    except SlackApiError as error:
        log.warning("Could not rename %s (%s); archiving it as it is", channel.channel_id, error)
    client.conversations_setTopic(channel=channel.channel_id, topic=f"{incident.reference} · restricted")
    if channel.summary_ts:
        client.chat_update(channel=channel.channel_id, ts=channel.summary_ts, text=RESTRICTED_NOTE, blocks=[])
    client.chat_postMessage(channel=channel.channel_id, text=RESTRICTED_NOTE)
    try:
        client.conversations_archive(channel=channel.channel_id)
    except SlackApiError as error:
        if error.response.get("error") != "already_archived":
            raise


def make_private(client: WebClient, incident: Incident, channel: IncidentChannel) -> IncidentChannel:
    """A restricted incident's discussion belongs in a private channel, and bots cannot make a channel private:
    the public one is archived with a note that gives nothing away, and a private one takes its place.

    Safe to run again: a channel Slack says is private is only refreshed, an archived one is not written to.
    """
    if channel.archived or not incident.restricted:
        return channel
    info = client.conversations_info(channel=channel.channel_id)["channel"]
    if info.get("is_private"):
        refresh(client, incident, channel)
        return channel
    if not info.get("is_archived"):
        _withdraw(client, incident, channel)
    channel_id, name = _new_conversation(client, incident)
    log.info("Incident %s moved from public %s to private %s", incident.reference, channel.channel_id, channel_id)
    # Recorded at once, so nothing more is said in the public channel and commands find the private one.
    channel.channel_id, channel.name, channel.summary_ts = channel_id, name, ""
    channel.save(update_fields=["channel_id", "name", "summary_ts"])
    _set_up(client, incident, channel)
    return channel


def refresh(client: WebClient, incident: Incident, channel: IncidentChannel) -> None:
    """Leads who joined since are invited; the topic and the pinned summary show the incident as it is now."""
    if channel.archived:
        return
    invite(client, channel, incident)
    client.conversations_setTopic(channel=channel.channel_id, topic=messages.topic(incident))
    if channel.summary_ts:
        client.chat_update(
            channel=channel.channel_id,
            ts=channel.summary_ts,
            text=messages.summary_text(incident),
            blocks=messages.summary_blocks(incident),
        )


def archive(client: WebClient, incident: Incident, channel: IncidentChannel) -> None:
    if channel.archived:
        return
    if channel.summary_ts:
        client.chat_update(
            channel=channel.channel_id,
            ts=channel.summary_ts,
            text=messages.summary_text(incident),
            blocks=messages.summary_blocks(incident),
        )
    try:
        client.conversations_archive(channel=channel.channel_id)
    except SlackApiError as error:
        if error.response.get("error") != "already_archived":
            raise
    channel.archived = True
    channel.save(update_fields=["archived"])

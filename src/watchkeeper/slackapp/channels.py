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
from watchkeeper.slackapp import messages, people
from watchkeeper.slackapp.models import ChannelPolicy, IncidentChannel

log = logging.getLogger(__name__)

# Slack's own answers when an invitation is not needed or not possible; the rest of the work carries on.
HARMLESS_INVITE_ERRORS = {"already_in_channel", "cant_invite_self", "user_not_found", "user_is_restricted"}
NAME_ATTEMPTS = 5


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


def create(client: WebClient, incident: Incident) -> IncidentChannel:
    existing = IncidentChannel.objects.filter(incident=incident).first()
    if existing is not None:
        refresh(client, incident, existing)
        return existing
    for attempt in range(1, NAME_ATTEMPTS + 1):
        name = channel_name(incident, attempt)
        try:
            created = client.conversations_create(name=name, is_private=incident.restricted)
            break
        except SlackApiError as error:
            if error.response.get("error") != "name_taken" or attempt == NAME_ATTEMPTS:
                raise
    # Saved at once, so commands typed in the channel find their incident while the rest is set up.
    channel = IncidentChannel.objects.create(incident=incident, channel_id=created["channel"]["id"], name=name)
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

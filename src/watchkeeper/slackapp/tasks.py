"""Slack work that may be slow or rate limited, enqueued inside the change that called for it."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django_tasks import task

from watchkeeper.incidents.models import Incident
from watchkeeper.slackapp import conf, messages
from watchkeeper.slackapp.models import IncidentChannel
from watchkeeper.slackapp.services import channels
from watchkeeper.web import formatting


def _incident(incident_id: int) -> Incident:
    return Incident.objects.select_related(
        "service", "declared_by", "incident_lead", "comms_lead", "technical_lead"
    ).get(pk=incident_id)


@task()
def open_channel(incident_id: int) -> None:
    channels.create(conf.web_client(), _incident(incident_id))


@task()
def refresh_channel(incident_id: int) -> None:
    channel = IncidentChannel.objects.filter(incident_id=incident_id).first()
    if channel is not None:
        channels.refresh(conf.web_client(), _incident(incident_id), channel)


@task()
def restrict_channel(incident_id: int) -> None:
    channel = IncidentChannel.objects.filter(incident_id=incident_id).first()
    if channel is not None:
        channels.make_private(conf.web_client(), _incident(incident_id), channel)


@task()
def archive_channel(incident_id: int) -> None:
    channel = IncidentChannel.objects.filter(incident_id=incident_id).first()
    if channel is not None:
        channels.archive(conf.web_client(), _incident(incident_id), channel)


@task()
def remind_again(incident_id: int, channel: str, user: str) -> None:
    """A snoozed reminder: said again only if an update is still due."""
    incident = _incident(incident_id)
    if not incident.is_open or incident.next_update_due is None:
        return
    due = formatting.relative(incident.next_update_due, timezone.now())
    text = f"<@{user}> reminder: the next update on {incident.reference} is {due}."
    buttons = [
        messages.button("Post update", messages.UPDATE, incident.reference, "primary"),
        messages.button("Acknowledge", messages.ACKNOWLEDGE, incident.reference),
        messages.button("Snooze 30 minutes", messages.SNOOZE, incident.reference),
    ]
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        {"type": "actions", "elements": buttons},
    ]
    conf.web_client().chat_postMessage(channel=channel, text=text, blocks=blocks)

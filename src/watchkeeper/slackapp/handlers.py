"""Incident events that call for Slack work: each enqueues a task in the transaction of the change."""

from __future__ import annotations

from watchkeeper.incidents import events
from watchkeeper.incidents.models import Incident
from watchkeeper.slackapp import conf, tasks
from watchkeeper.slackapp.models import ChannelPolicy, IncidentChannel

KEEP_CURRENT = {
    events.UPDATED,
    events.PRIORITY_CHANGED,
    events.STATUS_CHANGED,
    events.ROLE_CHANGED,
    events.TYPE_CHANGED,
    events.RESOLVED,
    events.REOPENED,
}


def on_incident_event(event: events.IncidentEvent) -> None:
    if not conf.bot_token():
        return
    if event.name == events.DECLARED:
        wanted = ChannelPolicy.objects.filter(service__incidents=event.incident_id, create_channels=True).exists()
        if wanted:
            tasks.open_channel.enqueue(event.incident_id)
        return
    if not IncidentChannel.objects.filter(incident_id=event.incident_id, archived=False).exists():
        return
    if event.name == events.CLOSED:
        tasks.archive_channel.enqueue(event.incident_id)
    elif event.name == events.TYPE_CHANGED and Incident.objects.filter(pk=event.incident_id, restricted=True).exists():
        # Moved to a private channel if its channel is public; otherwise only refreshed.
        tasks.restrict_channel.enqueue(event.incident_id)
    elif event.name in KEEP_CURRENT:
        tasks.refresh_channel.enqueue(event.incident_id)


def connect() -> None:
    events.add_handler(on_incident_event, events.INCIDENT_CHANGES)

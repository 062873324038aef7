"""Buttons, modal submissions and the "Add to timeline" message shortcut.

Every listener acknowledges first thing it can; failures come back to the person as an ephemeral message,
or, inside a modal, as errors on the fields they concern.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from slack_bolt import Ack, App
from slack_sdk import WebClient

from watchkeeper.incidents import queries, services
from watchkeeper.incidents.models import Incident
from watchkeeper.incidents.visibility import can_act_on
from watchkeeper.slackapp import alert_groups, messages, modals, status_page, tasks
from watchkeeper.slackapp.errors import explain, field_messages, tell
from watchkeeper.slackapp.models import IncidentChannel
from watchkeeper.slackapp.services import people
from watchkeeper.web import formatting

SNOOZE_FOR = timedelta(minutes=30)


def timeline_text(client: WebClient, message: dict[str, Any]) -> str:
    """A Slack message as a timeline note: who wrote it, when, and what it said."""
    author = people.display_name(client, message["user"]) if message.get("user") else "someone"
    at = datetime.fromtimestamp(float(message["ts"]), UTC)
    return f"From Slack, {author} at {formatting.when(at)}: {message.get('text', '')}"


def add_message(actor: User, incident: Incident, text: str) -> bool:
    """Adds a Slack message to the timeline once: a second pin of the same message changes nothing."""
    if not can_act_on(actor, incident):
        raise PermissionDenied("You cannot add to this incident's timeline")
    if queries.timeline(incident).filter(text=text.strip()).exists():
        return False
    services.add_note(actor, incident, text)
    return True


def _where(body: dict[str, Any]) -> tuple[str, str | None]:
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    return body["user"]["id"], channel


def _button(ack: Ack, body: dict[str, Any], client: WebClient, action: dict[str, Any]) -> None:
    ack()
    user, channel = _where(body)
    try:
        actor = people.acting_user(client, user)
        incident = queries.get_incident(actor, action["value"])
        text = BUTTONS[action["action_id"]](actor, incident, client, channel, body)
    except Exception as error:
        text = explain(error)
    if text:
        tell(client, user, text, channel=channel)


def _lead(actor: User, incident: Incident, *_: Any) -> str:
    services.assign_role(actor, incident, "incident_lead", actor)
    return f"You are the incident lead of {incident.reference}."


def _comms(actor: User, incident: Incident, *_: Any) -> str:
    services.assign_role(actor, incident, "comms_lead", actor)
    return f"You are the comms lead of {incident.reference}."


def _open_update(actor: User, incident: Incident, client: WebClient, channel: str | None, body: dict[str, Any]) -> str:
    if not incident.is_open:
        return f"{incident.reference} is {incident.status}: reopen it in the web app to post updates."
    client.views_open(trigger_id=body["trigger_id"], view=modals.update_view(incident, channel or ""))
    return ""


def _acknowledge(actor: User, incident: Incident, *_: Any) -> str:
    services.add_note(actor, incident, f"{actor.get_username()} acknowledged the reminder in Slack")
    due = formatting.relative(incident.next_update_due, timezone.now())
    return f"Acknowledged. The update on {incident.reference} is {due}."


def _snooze(actor: User, incident: Incident, client: WebClient, channel: str | None, body: dict[str, Any]) -> str:
    with transaction.atomic():
        services.add_note(actor, incident, f"{actor.get_username()} snoozed the reminder for 30 minutes in Slack")
        tasks.remind_again.using(run_after=timezone.now() + SNOOZE_FOR).enqueue(
            incident.pk, channel or body["user"]["id"], body["user"]["id"]
        )
    return f"Snoozed: you will be reminded about {incident.reference} again in 30 minutes."


BUTTONS = {
    messages.LEAD: _lead,
    messages.COMMS: _comms,
    messages.UPDATE: _open_update,
    messages.ACKNOWLEDGE: _acknowledge,
    messages.SNOOZE: _snooze,
}


def _service_chosen(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    """Shows the incidents already open on the service just chosen, before anyone declares a duplicate."""
    ack()
    view = body["view"]
    try:
        actor = people.acting_user(client, body["user"]["id"])
        fresh = modals.declare_view(actor, view["private_metadata"], modals.chosen_service(view))
        client.views_update(view_id=view["id"], hash=view["hash"], view=fresh)
    except Exception as error:
        tell(client, body["user"]["id"], explain(error))


# Service field names that the modal asks for under another block id.
BLOCK_FOR_FIELD = {"public": "audience"}


def _field_errors(ack: Ack, error: Exception, fields: set[str], fallback: str) -> None:
    if isinstance(error, ValidationError):
        found = {BLOCK_FOR_FIELD.get(name, name): message for name, message in field_messages(error).items()}
        errors = {(name if name in fields else fallback): message for name, message in found.items()}
    else:
        errors = {fallback: explain(error)}
    ack(response_action="errors", errors=errors)


def _declare_submitted(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    view = body["view"]
    user = body["user"]["id"]
    try:
        actor = people.acting_user(client, user)
        fields = modals.read_declare(view)
        if fields["service"] is None:
            raise ValidationError({"service": "Choose the service that is affected"})
        # The view id is unique to this modal, so a repeated submission finds the first incident.
        incident = services.declare(actor, idempotency_key=f"slack-{view['id']}", **fields)
    except Exception as error:
        _field_errors(ack, error, {"title", "service", "type", "priority", "reported_at", "description"}, "title")
        return
    ack()
    tell(
        client,
        user,
        f"You declared {messages.summary_text(incident)}",
        channel=view["private_metadata"] or None,
        blocks=messages.summary_blocks(incident),
    )


def _update_submitted(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    view = body["view"]
    user = body["user"]["id"]
    meta = json.loads(view["private_metadata"])
    try:
        actor = people.acting_user(client, user)
        fields = modals.read_update(view)
        # The status and the update go together or not at all.
        with transaction.atomic():
            incident = queries.get_incident(actor, meta["reference"])
            if fields["status"] and fields["status"] != incident.status:
                incident = services.change_status(actor, incident, fields["status"])
            posted = status_page.post(
                actor,
                incident,
                fields["body"],
                public=fields["public"],
                ids=fields["components"],
                component_status=fields["component_status"],
            )
    except Exception as error:
        _field_errors(ack, error, {"body", "audience", "status", "components", "component_status"}, "body")
        return
    ack()
    tell(client, user, status_page.confirmation(incident, posted), channel=meta.get("channel") or None)


def _timeline_submitted(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    view = body["view"]
    user = body["user"]["id"]
    message = json.loads(view["private_metadata"])
    try:
        actor = people.acting_user(client, user)
        incident = queries.get_incident(actor, modals.read_timeline(view))
        add_message(actor, incident, timeline_text(client, message))
    except Exception as error:
        _field_errors(ack, error, set(), "reference")
        return
    ack()
    tell(client, user, f"Added to the timeline of {incident.reference}.", channel=message.get("channel") or None)


def _shortcut(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    """In an incident's channel the message goes straight on; elsewhere a modal asks which incident."""
    ack()
    user = body["user"]["id"]
    channel_id = body["channel"]["id"]
    message = {**body["message"], "channel": channel_id}
    try:
        actor = people.acting_user(client, user)
        channel = IncidentChannel.objects.select_related("incident").filter(channel_id=channel_id).first()
        if channel is None:
            client.views_open(trigger_id=body["trigger_id"], view=modals.timeline_view(actor, message))
            return
        incident = queries.get_incident(actor, channel.incident.reference)
        added = add_message(actor, incident, timeline_text(client, message))
        text = (
            f"Added to the timeline of {incident.reference}." if added else "That message is already on the timeline."
        )
    except Exception as error:
        text = explain(error)
    tell(client, user, text, channel=channel_id)


def register(app: App) -> None:
    for action_id in BUTTONS:
        app.action(action_id)(_button)
    alert_groups.register(app)
    app.action(modals.SERVICE_CHOSEN)(_service_chosen)
    app.view(modals.DECLARE)(_declare_submitted)
    app.view(modals.POST_UPDATE)(_update_submitted)
    app.view(modals.ADD_TO_TIMELINE)(_timeline_submitted)
    app.shortcut(modals.ADD_TO_TIMELINE)(_shortcut)

"""Modals: declaring (showing what is already open on the chosen service), posting an update, adding to the timeline.

Each builder returns a Slack view; each reader turns a submitted view's state into arguments for the service
functions. Input block ids match the service functions' field names, so their ValidationErrors land on the field.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from django.contrib.auth.models import User

from watchkeeper.catalogue.models import Component, Service
from watchkeeper.domain.priority import DEFAULT_POLICIES
from watchkeeper.domain.workflow import OPEN_STATUSES, IncidentType, Status
from watchkeeper.incidents import queries
from watchkeeper.incidents.models import Incident
from watchkeeper.slackapp import messages

DECLARE = "declare"
POST_UPDATE = "post_update"
ADD_TO_TIMELINE = "add_to_timeline"
SERVICE_CHOSEN = "declare_service"

# What a public update may say about a component; under maintenance belongs to scheduled maintenance only.
COMPONENT_STATUSES = {
    "operational": "Operational",
    "degraded_performance": "Degraded performance",
    "partial_outage": "Partial outage",
    "major_outage": "Major outage",
}


def _text(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:75]}


def _option(text: str, value: str, description: str = "") -> dict[str, Any]:
    option: dict[str, Any] = {"text": _text(text), "value": value}
    if description:
        option["description"] = {"type": "plain_text", "text": description[:75]}
    return option


def _input(
    block_id: str, label: str, element: dict[str, Any], *, optional: bool = False, hint: str = "", dispatch: str = ""
) -> dict[str, Any]:
    """An input block; ``dispatch`` names the action sent the moment its value is chosen."""
    block: dict[str, Any] = {
        "type": "input",
        "block_id": block_id,
        "label": _text(label),
        "element": {**element, "action_id": dispatch or block_id},
        "optional": optional,
    }
    if dispatch:
        block["dispatch_action"] = True
    if hint:
        block["hint"] = {"type": "plain_text", "text": hint[:2000]}
    return block


def _priority_options() -> list[dict[str, Any]]:
    return [
        _option(
            f"{policy.priority} {policy.name}: {policy.example}",
            policy.priority.value,
            f"Respond within {policy.respond_within.describe()}, update {policy.updates}",
        )
        for policy in DEFAULT_POLICIES.values()
    ]


def _open_on_service(user: User, service: Service | None) -> list[dict[str, Any]]:
    if service is None:
        return []
    found = list(queries.open_on_service(user, service.slug)[:10])
    text = (
        f"*Already open on {messages.escape(service.name)}* (is this one of these?)\n"
        + "\n".join(f"• {messages.one_line(i)}" for i in found)
        if found
        else f"No open incidents on {messages.escape(service.name)} that you can see."
    )
    return [{"type": "section", "block_id": "open_incidents", "text": {"type": "mrkdwn", "text": text[:3000]}}]


def declare_view(user: User, channel_id: str, service: Service | None = None) -> dict[str, Any]:
    services = [_option(s.name, s.slug) for s in Service.objects.order_by("name")[:100]]
    service_select: dict[str, Any] = {"type": "static_select", "options": services}
    if service is not None:
        service_select["initial_option"] = _option(service.name, service.slug)
    types = [_option(t.label, t.value) for t in IncidentType]
    return {
        "type": "modal",
        "callback_id": DECLARE,
        "private_metadata": channel_id,
        "title": _text("Declare an incident"),
        "submit": _text("Declare"),
        "close": _text("Cancel"),
        "blocks": [
            _input("title", "What is happening?", {"type": "plain_text_input", "max_length": 200}),
            # Choosing a service tells us at once, so the incidents already open on it show before declaring.
            _input("service", "Service", service_select, dispatch=SERVICE_CHOSEN),
            *_open_on_service(user, service),
            _input("type", "Type", {"type": "static_select", "options": types, "initial_option": types[0]}),
            _input(
                "priority",
                "Priority",
                {"type": "radio_buttons", "options": _priority_options()},
                hint="Not sure? Choose the higher priority: it can be lowered later with a reason.",
            ),
            _input("reported_at", "When was it first noticed?", {"type": "datetimepicker"}, optional=True),
            _input("description", "Description", {"type": "plain_text_input", "multiline": True}, optional=True),
            _input(
                "take_lead",
                "Incident lead",
                {"type": "checkboxes", "options": [_option("I'll lead this incident", "yes")]},
                optional=True,
            ),
        ],
    }


def _values(view: dict[str, Any]) -> dict[str, Any]:
    """Each block's single element state, keyed by block id."""
    return {block_id: next(iter(actions.values()), {}) for block_id, actions in view["state"]["values"].items()}


def chosen_service(view: dict[str, Any]) -> Service | None:
    selected = (_values(view).get("service") or {}).get("selected_option")
    return Service.objects.filter(slug=selected["value"]).first() if selected else None


def read_declare(view: dict[str, Any]) -> dict[str, Any]:
    values = _values(view)

    def chosen(block: str) -> str | None:
        option = (values.get(block) or {}).get("selected_option")
        return option["value"] if option else None

    noticed = (values.get("reported_at") or {}).get("selected_date_time")
    return {
        "title": (values.get("title") or {}).get("value") or "",
        "service": chosen_service(view),
        "type": chosen("type") or IncidentType.TECHNICAL_FAILURE.value,
        "priority": chosen("priority"),
        "reported_at": datetime.fromtimestamp(int(noticed), UTC) if noticed else None,
        "description": (values.get("description") or {}).get("value") or "",
        "take_lead": bool((values.get("take_lead") or {}).get("selected_options")),
    }


def update_view(incident: Incident, channel_id: str) -> dict[str, Any]:
    statuses = [_option(s.value.title(), s.value) for s in Status if s in OPEN_STATUSES]
    current = next(option for option in statuses if option["value"] == incident.status) if incident.is_open else None
    status_select: dict[str, Any] = {"type": "static_select", "options": statuses}
    if current:
        status_select["initial_option"] = current
    audiences = [
        _option("Internal: the team and stakeholders", "internal"),
        _option("Public: also for the status page", "public"),
    ]
    return {
        "type": "modal",
        "callback_id": POST_UPDATE,
        "private_metadata": json.dumps({"reference": incident.reference, "channel": channel_id}),
        "title": _text(f"Update {incident.reference}"),
        "submit": _text("Post update"),
        "close": _text("Cancel"),
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": messages.one_line(incident)}},
            _input("body", "What is the latest?", {"type": "plain_text_input", "multiline": True}),
            _input(
                "audience",
                "Who is it for?",
                {"type": "radio_buttons", "options": audiences, "initial_option": audiences[0]},
                hint="The comms lead writes what users see: only public updates go towards the status page.",
            ),
            _input("status", "Status", status_select, optional=True),
            *_component_inputs(incident),
        ],
    }


def _component_inputs(incident: Incident) -> list[dict[str, Any]]:
    """The service's components and the status to give them: used only by public updates."""
    components = [_option(c.name, str(c.pk)) for c in Component.objects.filter(service=incident.service)[:100]]
    if not components:
        return []
    statuses = [_option(label, value) for value, label in COMPONENT_STATUSES.items()]
    return [
        _input(
            "components",
            "Affected components",
            {"type": "multi_static_select", "options": components},
            optional=True,
            hint="Public updates only: shown on the status page with the status below.",
        ),
        _input("component_status", "Component status", {"type": "static_select", "options": statuses}, optional=True),
    ]


def read_update(view: dict[str, Any]) -> dict[str, Any]:
    values = _values(view)
    audience = (values.get("audience") or {}).get("selected_option") or {}
    status = (values.get("status") or {}).get("selected_option")
    components = (values.get("components") or {}).get("selected_options") or []
    component_status = (values.get("component_status") or {}).get("selected_option")
    return {
        "body": (values.get("body") or {}).get("value") or "",
        "public": audience.get("value") == "public",
        "status": status["value"] if status else None,
        "components": [str(option["value"]) for option in components],
        "component_status": component_status["value"] if component_status else None,
    }


def timeline_view(user: User, message: dict[str, Any]) -> dict[str, Any]:
    """Asked when a message is added from a channel that is not an incident's: which incident is it for?"""
    incidents = [_option(f"{i.reference}: {i.title}", i.reference) for i in queries.open_incidents(user)[:100]]
    blocks: list[dict[str, Any]]
    if incidents:
        blocks = [_input("reference", "Incident", {"type": "static_select", "options": incidents})]
    else:
        blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "No open incidents that you can see."}}]
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": ADD_TO_TIMELINE,
        "private_metadata": json.dumps({**message, "text": message.get("text", "")[:2000]}),
        "title": _text("Add to timeline"),
        "close": _text("Cancel"),
        "blocks": blocks,
    }
    if incidents:
        view["submit"] = _text("Add")
    return view


def read_timeline(view: dict[str, Any]) -> str:
    option = (_values(view).get("reference") or {}).get("selected_option") or {}
    return str(option.get("value", ""))

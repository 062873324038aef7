"""Buttons, modals, the "Add to timeline" shortcut and the pin reaction, each as Slack sends them, signed."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from tests.factories import make_component, make_incident, make_service, make_user
from tests.fakes.slack_web import FakeSlackWeb, event_body, interaction_body, signed_headers
from watchkeeper.catalogue.models import Component
from watchkeeper.incidents.models import Incident
from watchkeeper.slackapp.models import IncidentChannel
from watchkeeper.statuspage import services as statuspage
from watchkeeper.statuspage.models import PublicIncident

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(slack: FakeSlackWeb) -> dict[str, Any]:
    return {"alice": make_user("alice"), "bob": make_user("bob"), "victor": make_user("victor", "viewer")}


def send(body: str, content_type: str = "application/x-www-form-urlencoded") -> Any:
    response = Client().post("/slack/events", data=body, content_type=content_type, **signed_headers(body))
    assert response.status_code == 200, response.content
    return response.json() if response.content else {}


def click(action_id: str, value: str, user: str = "U1", channel: str = "CGENERAL") -> Any:
    return send(
        interaction_body(
            {
                "type": "block_actions",
                "user": {"id": user, "username": user.lower(), "team_id": "T1"},
                "api_app_id": "A1",
                "token": "deprecated",
                "team": {"id": "T1", "domain": "gds"},
                "container": {"type": "message", "message_ts": "1700000000.000001", "channel_id": channel},
                "channel": {"id": channel, "name": "general"},
                "trigger_id": "trigger-1",
                "response_url": "https://hooks.slack.com/actions/T1/1/abc",
                "message": {"type": "message", "ts": "1700000000.000001", "text": "incident"},
                "actions": [{"action_id": action_id, "block_id": "b", "type": "button", "value": value}],
            }
        )
    )


def submit(view: dict[str, Any], values: dict[str, Any], user: str = "U1") -> Any:
    state = {"values": {block: {action: value} for block, (action, value) in values.items()}}
    return send(
        interaction_body(
            {
                "type": "view_submission",
                "team": {"id": "T1", "domain": "gds"},
                "user": {"id": user, "username": user.lower(), "team_id": "T1"},
                "api_app_id": "A1",
                "token": "deprecated",
                "trigger_id": "trigger-2",
                "view": {**view, "id": "V123", "hash": "h", "state": state},
            }
        )
    )


def test_buttons_take_lead_and_comms(people: dict[str, Any], slack: FakeSlackWeb) -> None:
    incident = make_incident(people["bob"])
    click("incident_lead", incident.reference)
    click("incident_comms", incident.reference, user="U2")
    incident.refresh_from_db()
    assert (incident.incident_lead, incident.comms_lead) == (people["alice"], people["bob"])
    assert any("incident lead" in e["text"] and e["user"] == "U1" for e in slack.ephemerals)


def test_a_viewer_clicking_hears_why_nothing_happened(people: dict[str, Any], slack: FakeSlackWeb) -> None:
    incident = make_incident(people["bob"])
    click("incident_lead", incident.reference, user="UVIEW")
    incident.refresh_from_db()
    assert incident.incident_lead is None
    (told,) = slack.ephemerals
    assert told["user"] == "UVIEW" and "cannot" in told["text"].lower()


def test_declare_modal_shows_open_incidents_then_declares(people: dict[str, Any], slack: FakeSlackWeb) -> None:
    service = make_service("payments", name="Payments")
    make_incident(people["bob"], service=service, title="Card payments slow")
    send(
        interaction_body(
            {
                "type": "block_actions",
                "user": {"id": "U1"},
                "team": {"id": "T1"},
                "api_app_id": "A1",
                "token": "deprecated",
                "trigger_id": "t",
                "container": {"type": "view", "view_id": "V123"},
                "view": {
                    "id": "V123",
                    "hash": "h1",
                    "type": "modal",
                    "callback_id": "declare",
                    "private_metadata": "CGENERAL",
                    "state": {"values": {"service": {"declare_service": {"selected_option": {"value": "payments"}}}}},
                },
                "actions": [{"action_id": "declare_service", "block_id": "service", "type": "static_select"}],
            }
        )
    )
    (updated,) = slack.called("views.update")
    assert "Card payments slow" in str(updated["view"]["blocks"])

    declare_view = {"type": "modal", "callback_id": "declare", "private_metadata": "CGENERAL"}
    values = {
        "title": ("title", {"type": "plain_text_input", "value": "Card payments failing"}),
        "service": ("declare_service", {"type": "static_select", "selected_option": {"value": "payments"}}),
        "type": ("type", {"type": "static_select", "selected_option": {"value": "technical_failure"}}),
        "priority": ("priority", {"type": "radio_buttons", "selected_option": {"value": "P1"}}),
        "reported_at": ("reported_at", {"type": "datetimepicker", "selected_date_time": None}),
        "description": ("description", {"type": "plain_text_input", "value": None}),
        "take_lead": ("take_lead", {"type": "checkboxes", "selected_options": [{"value": "yes"}]}),
    }
    assert submit(declare_view, values) == {}
    assert submit(declare_view, values) == {}  # Slack retried: still one incident
    incident = Incident.objects.get(title="Card payments failing")
    assert (incident.priority, incident.incident_lead) == ("P1", people["alice"])
    assert Incident.objects.filter(title="Card payments failing").count() == 1

    values["title"] = ("title", {"type": "plain_text_input", "value": "  "})
    reply = submit({**declare_view}, values, user="U2")
    assert reply["response_action"] == "errors" and "title" in reply["errors"]


def test_post_update_modal_changes_status_and_posts(people: dict[str, Any], slack: FakeSlackWeb) -> None:
    incident = make_incident(people["alice"])
    click("incident_update", incident.reference)
    (opened,) = slack.called("views.open")
    view = opened["view"]
    assert view["callback_id"] == "post_update"
    values = {
        "body": ("body", {"type": "plain_text_input", "value": "Fix deployed, watching"}),
        "audience": ("audience", {"type": "radio_buttons", "selected_option": {"value": "public"}}),
        "status": ("status", {"type": "static_select", "selected_option": {"value": "monitoring"}}),
    }
    assert submit(view, values) == {}
    incident.refresh_from_db()
    assert incident.status == "monitoring"
    assert incident.timeline.filter(kind="update", public=True, text="Fix deployed, watching").exists()

    values["body"] = ("body", {"type": "plain_text_input", "value": ""})
    values["status"] = ("status", {"type": "static_select", "selected_option": {"value": "identified"}})
    reply = submit(view, values)
    assert reply["response_action"] == "errors" and "body" in reply["errors"]
    incident.refresh_from_db()
    assert incident.status == "monitoring"  # the status change rolled back with the refused update


def test_acknowledge_and_snooze(people: dict[str, Any], slack: FakeSlackWeb) -> None:
    incident = make_incident(people["alice"], priority="P1")
    click("reminder_acknowledge", incident.reference)
    assert incident.timeline.filter(text__contains="acknowledged the reminder").exists()
    click("reminder_snooze", incident.reference)
    assert incident.timeline.filter(text__contains="snoozed").exists()
    task = DBTaskResult.objects.get(task_path__endswith="remind_again")
    assert task.run_after is not None


def shortcut(channel: str, user: str = "U1") -> Any:
    return send(
        interaction_body(
            {
                "type": "message_action",
                "callback_id": "add_to_timeline",
                "trigger_id": "trigger-3",
                "response_url": "https://hooks.slack.com/app/T1/1/abc",
                "team": {"id": "T1", "domain": "gds"},
                "channel": {"id": channel, "name": "inc"},
                "user": {"id": user, "name": user.lower()},
                "message": {"type": "message", "user": "U2", "ts": "1700000100.000200", "text": "DB failover done"},
                "token": "deprecated",
                "action_ts": "1700000200.1",
            }
        )
    )


def test_add_to_timeline_in_an_incident_channel(people: dict[str, Any], slack: FakeSlackWeb) -> None:
    incident = make_incident(people["alice"])
    IncidentChannel.objects.create(incident=incident, channel_id="CINC", name="inc")
    slack.add_channel("CINC", "inc")
    shortcut("CINC")
    shortcut("CINC")
    (entry,) = incident.timeline.filter(kind="note")
    assert entry.author == people["alice"]
    assert "bob" in entry.text and "DB failover done" in entry.text and "14 Nov 2023" in entry.text


def test_add_to_timeline_elsewhere_asks_which_incident(people: dict[str, Any], slack: FakeSlackWeb) -> None:
    incident = make_incident(people["alice"])
    shortcut("CGENERAL")
    (opened,) = slack.called("views.open")
    view = opened["view"]
    assert view["callback_id"] == "add_to_timeline"
    values = {"reference": ("reference", {"type": "static_select", "selected_option": {"value": incident.reference}})}
    assert submit(view, values) == {}
    assert incident.timeline.filter(kind="note", text__contains="DB failover done").exists()


def react(reaction: str, user: str = "U1", channel: str = "CINC") -> Any:
    event = {
        "type": "reaction_added",
        "user": user,
        "reaction": reaction,
        "item_user": "U2",
        "item": {"type": "message", "channel": channel, "ts": "1700000100.000200"},
        "event_ts": "1700000300.000100",
    }
    return send(event_body(event), "application/json")


def test_pin_reaction_puts_the_message_on_the_timeline(people: dict[str, Any], slack: FakeSlackWeb) -> None:
    incident = make_incident(people["alice"])
    IncidentChannel.objects.create(incident=incident, channel_id="CINC", name="inc")
    slack.add_channel(
        "CINC", "inc", {"type": "message", "user": "U2", "ts": "1700000100.000200", "text": "Rolled back"}
    )
    react("thumbsup")
    assert not incident.timeline.filter(kind="note").exists()
    react("pushpin")
    react("pushpin")
    (entry,) = incident.timeline.filter(kind="note")
    assert "Rolled back" in entry.text and entry.author == people["alice"]
    react("pushpin", user="UVIEW")
    assert any(e["user"] == "UVIEW" and "cannot" in e["text"].lower() for e in slack.ephemerals)


def test_a_forged_interaction_changes_nothing(people: dict[str, Any]) -> None:
    incident = make_incident(people["bob"])
    body = interaction_body(
        {
            "type": "block_actions",
            "user": {"id": "U1"},
            "team": {"id": "T1"},
            "actions": [{"action_id": "incident_lead", "value": incident.reference}],
        }
    )
    response = Client().post(
        "/slack/events",
        data=body,
        content_type="application/x-www-form-urlencoded",
        **signed_headers(body, secret="forged"),
    )
    assert response.status_code == 401
    incident.refresh_from_db()
    assert incident.incident_lead is None


def update_values(body: str, *components: Component, status: str | None = None, audience: str = "public") -> Any:
    values: dict[str, Any] = {
        "body": ("body", {"type": "plain_text_input", "value": body}),
        "audience": ("audience", {"type": "radio_buttons", "selected_option": {"value": audience}}),
        "status": ("status", {"type": "static_select", "selected_option": None}),
        "components": (
            "components",
            {"type": "multi_static_select", "selected_options": [{"value": str(c.pk)} for c in components]},
        ),
        "component_status": (
            "component_status",
            {"type": "static_select", "selected_option": {"value": status} if status else None},
        ),
    }
    return values


def open_update_modal(slack: FakeSlackWeb, incident: Incident) -> dict[str, Any]:
    click("incident_update", incident.reference)
    view: dict[str, Any] = slack.called("views.open")[-1]["view"]
    return view


def test_a_public_update_moves_components_on_the_public_incident(people: dict[str, Any], slack: FakeSlackWeb) -> None:
    service = make_service("payments", name="Payments")
    api, web = make_component(service, "api", name="Payments API"), make_component(service, "web", name="Web")
    make_component(make_service("other"), "elsewhere")
    incident = make_incident(people["alice"], service=service)
    public = statuspage.publish_incident(people["alice"], incident, name="Card payments failing", body="Looking")

    view = open_update_modal(slack, incident)
    blocks = {block.get("block_id"): block for block in view["blocks"]}
    options = blocks["components"]["element"]["options"]
    assert [o["text"]["text"] for o in options] == ["Payments API", "Web"]
    statuses = [o["value"] for o in blocks["component_status"]["element"]["options"]]
    assert statuses == ["operational", "degraded_performance", "partial_outage", "major_outage"]

    assert submit(view, update_values("Card payments are failing for some", api, web, status="partial_outage")) == {}
    update = public.updates.order_by("pk").last()
    assert update is not None and update.body == "Card payments are failing for some"
    assert public.updates.count() == 2  # posted once, not also copied without its components
    assert {(a.component.slug, a.new_status) for a in update.affected.all()} == {
        ("api", "partial_outage"),
        ("web", "partial_outage"),
    }
    assert statuspage.current_status(api) == "partial_outage"
    assert incident.timeline.filter(kind="update", text="Card payments are failing for some").exists()
    told = slack.ephemerals[-1]["text"]
    assert "on the status page" in told and "Payments API, Web: partial outage" in told

    # No components: the status page copies the public update itself, once.
    assert submit(view, update_values("Still looking")) == {}
    assert public.updates.filter(body="Still looking").count() == 1
    assert statuspage.current_status(api) == "partial_outage"

    # An internal update never reaches the status page, whatever components it names.
    assert submit(view, update_values("Internal only", api, status="operational", audience="internal")) == {}
    assert not public.updates.filter(body="Internal only").exists()
    assert statuspage.current_status(api) == "partial_outage"


def test_a_public_update_without_a_public_incident_links_to_publishing(
    people: dict[str, Any], slack: FakeSlackWeb
) -> None:
    service = make_service("payments", name="Payments")
    api = make_component(service, "api")
    incident = make_incident(people["alice"], service=service)
    view = open_update_modal(slack, incident)
    assert submit(view, update_values("Payments are failing", api, status="major_outage")) == {}
    assert not PublicIncident.objects.exists()
    assert statuspage.current_status(api) == "operational"
    assert incident.timeline.filter(kind="update", public=True, text="Payments are failing").exists()
    told = slack.ephemerals[-1]
    assert told["user"] == "U1"
    assert "no public incident" in told["text"]
    assert f"/status/publish/incidents/{incident.reference}|" in told["text"]


def test_components_and_their_status_go_together(people: dict[str, Any], slack: FakeSlackWeb) -> None:
    service = make_service("payments", name="Payments")
    api = make_component(service, "api")
    foreign = make_component(make_service("other"), "foreign")
    incident = make_incident(people["alice"], service=service)
    public = statuspage.publish_incident(people["alice"], incident, name="Payments failing", body="Looking")
    view = open_update_modal(slack, incident)

    reply = submit(view, update_values("Text", api))
    assert reply["response_action"] == "errors" and "component_status" in reply["errors"]
    reply = submit(view, update_values("Text", status="major_outage"))
    assert reply["response_action"] == "errors" and "components" in reply["errors"]
    reply = submit(view, update_values("Text", foreign, status="major_outage"))
    assert reply["response_action"] == "errors" and "components" in reply["errors"]
    reply = submit(view, update_values("Text", api, status="under_maintenance"))
    assert reply["response_action"] == "errors" and "component_status" in reply["errors"]
    assert public.updates.count() == 1
    assert not incident.timeline.filter(kind="update", text="Text").exists()
    assert statuspage.current_status(api) == "operational"


def test_a_service_without_components_asks_for_none(people: dict[str, Any], slack: FakeSlackWeb) -> None:
    incident = make_incident(people["alice"], service=make_service("bare"))
    view = open_update_modal(slack, incident)
    assert {"components", "component_status"}.isdisjoint(block.get("block_id") for block in view["blocks"])

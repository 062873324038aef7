"""Alert groups from Slack: `/incident alerts` lists the open ones with buttons, and the buttons act on them.

Alerts arrive over the PagerDuty Events v2 endpoint; commands and clicks are signed exactly as Slack signs them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from tests.factories import make_incident, make_integration, make_policy, make_service, make_user
from tests.fakes.slack_web import FakeSlackWeb, configure
from tests.integration.test_slack_commands import command
from tests.integration.test_slack_interactions import click
from watchkeeper.alerts.models import AlertGroup
from watchkeeper.incidents.models import Incident
from watchkeeper.oncall.models import Page, PageStatus
from watchkeeper.slackapp.models import IncidentChannel

pytestmark = pytest.mark.django_db


@pytest.fixture
def slack(settings: Any) -> Iterator[FakeSlackWeb]:
    fake = configure(settings)
    yield fake
    fake.close()


@pytest.fixture
def firing(slack: FakeSlackWeb) -> dict[str, Any]:
    alice = make_user("alice")
    make_user("victor", "viewer")
    make_user("carol")
    policy = make_policy([{"ack_timeout_minutes": 5, "targets": [{"user": "carol"}]}])
    service = make_service("payments", name="Payments")
    _, key = make_integration(service, kind="pagerduty", policy=policy, name="Prometheus")
    body = {
        "routing_key": key,
        "event_action": "trigger",
        "dedup_key": "checkout",
        "payload": {"summary": "Checkout errors <!channel>", "source": "web-1", "severity": "critical"},
    }
    response = Client().post("/v2/enqueue", json.dumps(body), content_type="application/json")
    assert response.status_code == 202, response.content
    return {"alice": alice, "group": AlertGroup.objects.get(), "service": service}


def buttons(reply: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (element["action_id"], element["value"])
        for block in reply.get("blocks") or []
        if block["type"] == "actions"
        for element in block["elements"]
    ]


def told(slack: FakeSlackWeb) -> str:
    return slack.ephemerals[-1]["text"]


def test_alerts_lists_open_groups_with_their_buttons(firing: dict[str, Any]) -> None:
    group = firing["group"]
    reply = command("alerts")
    assert reply["response_type"] == "ephemeral"
    text = json.dumps(reply["blocks"])
    assert "Checkout errors &lt;!channel&gt;" in text, "an alert's summary cannot ping a channel"
    assert "Prometheus on Payments" in text and f"/alerts/groups/{group.pk}" in text
    pk = str(group.pk)
    assert buttons(reply) == [
        ("alert_group_acknowledge", pk),
        ("alert_group_resolve", pk),
        ("alert_group_declare", pk),
    ]
    assert command("alerts payments")["blocks"] and command("alerts other")["text"] == "No open alert groups on other."


def test_acknowledge_then_resolve_from_slack_carries_over_to_the_page(firing: dict[str, Any], slack) -> None:
    group = firing["group"]
    click("alert_group_acknowledge", str(group.pk))
    group.refresh_from_db()
    assert (group.status, group.acknowledged_by) == ("acknowledged", firing["alice"])
    assert "You acknowledged the alert group" in told(slack)
    page = Page.objects.get()
    assert (page.status, page.acknowledged_via) == (PageStatus.ACKNOWLEDGED, "slack")
    pk = str(group.pk)
    assert buttons(command("alerts")) == [("alert_group_resolve", pk), ("alert_group_declare", pk)]

    slack.add_channel("CTWO", "two")  # a second press is a new request, not a replay of the first
    click("alert_group_acknowledge", str(group.pk), channel="CTWO")
    assert "not firing" in told(slack), "a second press says why nothing happened"
    click("alert_group_resolve", str(group.pk))
    group.refresh_from_db()
    assert group.status == "resolved" and Page.objects.get().status == PageStatus.RESOLVED
    assert group.history.filter(text__contains="(slack)").count() == 2
    assert command("alerts")["text"] == "No open alert groups."


def test_declare_from_slack_prefills_the_incident_and_makes_the_presser_lead(firing: dict[str, Any], slack) -> None:
    group = firing["group"]
    click("alert_group_declare", str(group.pk))
    incident = Incident.objects.get()
    assert (incident.title, incident.service, incident.incident_lead) == (
        "Checkout errors <!channel>",
        firing["service"],
        firing["alice"],
    )
    assert incident.reported_at == group.alerts.get().started_at
    assert f"You declared {incident.reference}" in told(slack)
    slack.add_channel("CTWO", "two")  # a second press is a new request, not a replay of the first
    click("alert_group_declare", str(group.pk), channel="CTWO")
    assert "already belongs to an incident" in told(slack) and Incident.objects.count() == 1


def test_link_a_group_to_the_incident_whose_channel_it_is(firing: dict[str, Any]) -> None:
    group = firing["group"]
    incident = make_incident(firing["alice"], firing["service"], priority="P2")
    IncidentChannel.objects.create(incident=incident, channel_id="CINC", name="inc")
    assert f"is now part of {incident.reference}" in command(f"alerts link {group.pk}", channel="CINC")["text"]
    group.refresh_from_db()
    assert group.incident == incident
    assert "already belongs" in command(f"alerts link {group.pk} {incident.reference}")["text"]
    assert "No alert group 999" in command(f"alerts link 999 {incident.reference}")["text"]
    assert "alerts link <group id>" in command("alerts link")["text"]


def test_viewers_and_strangers_change_nothing(firing: dict[str, Any], slack) -> None:
    group = firing["group"]
    click("alert_group_resolve", str(group.pk), user="UVIEW")
    assert "Only responders" in told(slack)
    click("alert_group_declare", str(group.pk), user="USTRANGER")
    assert "does not know you" in told(slack)
    click("alert_group_resolve", "12345678901234567890")
    assert "No alert group" in told(slack)
    group.refresh_from_db()
    assert group.status == "firing" and Incident.objects.count() == 0

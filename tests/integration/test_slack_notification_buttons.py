"""Watchkeeper's own notification in a Slack channel carries buttons, and pressing one acts on the incident."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import make_incident, make_service, make_user
from tests.fakes.slack_web import FakeSlackWeb
from tests.fakes.worker import run_tasks
from tests.integration.test_slack_interactions import click
from watchkeeper.incidents import services as incidents
from watchkeeper.incidents.models import Incident
from watchkeeper.notifications import services as notifications

pytestmark = pytest.mark.django_db(transaction=True)


def action_ids(message: dict[str, Any]) -> list[str]:
    actions = [block for block in message["blocks"] if block["type"] == "actions"]
    return [element.get("action_id", "") for block in actions for element in block["elements"]]


def test_the_team_channel_message_offers_the_lead_and_the_button_takes_it(slack: FakeSlackWeb) -> None:
    root = make_user("root", "admin")
    alice = make_user("alice")
    channel = notifications.create_channel(root, name="team", kind="slack", target="CGENERAL")
    notifications.create_route(root, channel=channel)
    incident = make_incident(alice, make_service(), priority="P2")
    run_tasks()

    [message] = slack.messages
    assert action_ids(message) == ["", "incident_lead", "incident_comms", "incident_update"]

    click("incident_lead", incident.reference, user="U1")
    assert Incident.objects.get(pk=incident.pk).incident_lead == alice


def test_a_resolved_incident_offers_nothing_but_the_link(slack: FakeSlackWeb) -> None:
    root = make_user("root", "admin")
    alice = make_user("alice")
    channel = notifications.create_channel(root, name="team", kind="slack", target="CGENERAL")
    notifications.create_route(root, channel=channel, events=["incident.resolved"])
    incident = make_incident(alice, make_service(), priority="P2")
    incidents.resolve(alice, incident, "Fixed")
    run_tasks()
    [message] = slack.messages
    assert action_ids(message) == [""]

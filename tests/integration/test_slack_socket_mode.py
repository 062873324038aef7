"""Socket Mode envelopes reach the same listeners as HTTP requests, with no signature to check."""

from __future__ import annotations

import argparse
import json
from typing import Any

import pytest
from slack_bolt.adapter.socket_mode.internals import run_bolt_app
from slack_sdk.socket_mode.request import SocketModeRequest

from tests.factories import make_incident, make_service, make_user
from tests.fakes.slack_web import FakeSlackWeb
from watchkeeper.incidents.models import Incident
from watchkeeper.slackapp.bolt_app import build_app
from watchkeeper.slackapp.socket_mode import add_commands

pytestmark = pytest.mark.django_db


def envelope(kind: str, payload: dict[str, Any]) -> SocketModeRequest:
    request = SocketModeRequest.from_dict(
        {"envelope_id": "env-1", "type": kind, "payload": payload, "accepts_response_payload": True}
    )
    assert request is not None
    return request


def test_a_slash_command_envelope_declares(slack: FakeSlackWeb) -> None:
    alice = make_user("alice")
    make_service("payments")
    payload = {
        "team_id": "T1",
        "channel_id": "CGENERAL",
        "user_id": "U1",
        "command": "/incident",
        "text": "declare P1 payments Nobody can pay",
        "trigger_id": "t",
        "response_url": "https://hooks.slack.com/commands/T1/1/abc",
    }
    response = run_bolt_app(build_app(), envelope("slash_commands", payload))
    assert response.status == 200
    assert "Nobody can pay" in json.loads(response.body)["text"]
    assert Incident.objects.get().declared_by == alice


def test_an_interactive_envelope_takes_the_lead(slack: FakeSlackWeb) -> None:
    alice = make_user("alice")
    incident = make_incident(make_user("bob"))
    payload = {
        "type": "block_actions",
        "user": {"id": "U1"},
        "team": {"id": "T1"},
        "channel": {"id": "CGENERAL"},
        "trigger_id": "t",
        "actions": [{"action_id": "incident_lead", "block_id": "b", "type": "button", "value": incident.reference}],
    }
    assert run_bolt_app(build_app(), envelope("interactive", payload)).status == 200
    incident.refresh_from_db()
    assert incident.incident_lead == alice


def test_the_command_refuses_to_start_without_tokens(settings: Any) -> None:
    settings.SLACK_APP_TOKEN = ""
    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers())
    args = parser.parse_args(["slack"])
    with pytest.raises(SystemExit) as exit:
        args.func(args)
    assert exit.value.code == 2

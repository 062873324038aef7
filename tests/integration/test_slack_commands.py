"""`/incident` through `/slack/events`, signed exactly as Slack signs: the same incidents the web shows."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.test import Client

from tests.factories import make_incident, make_service, make_user
from tests.fakes.slack_web import FakeSlackWeb, command_body, signed_headers
from watchkeeper.incidents.models import Incident, TimelineEntry
from watchkeeper.slackapp.models import IncidentChannel

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(slack: FakeSlackWeb) -> dict[str, Any]:
    return {"alice": make_user("alice"), "bob": make_user("bob"), "victor": make_user("victor", "viewer")}


def command(text: str, **kwargs: Any) -> Any:
    body = command_body(text, **kwargs)
    response = Client().post(
        "/slack/events", data=body, content_type="application/x-www-form-urlencoded", **signed_headers(body)
    )
    assert response.status_code == 200, response.content
    # An empty acknowledgement (a modal opened instead) has no body.
    return response.json() if response.content else {}


def test_declare_at_once_then_lead_update_resolve(people: dict[str, Any]) -> None:
    make_service("payments", name="Payments")
    reply = command("declare P2 payments Card payments failing")
    assert reply["response_type"] == "in_channel"
    incident = Incident.objects.get()
    assert (incident.priority, incident.title, incident.declared_by) == ("P2", "Card payments failing", people["alice"])
    assert incident.reference in reply["text"]
    action_ids = [e.get("action_id") for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert {"incident_lead", "incident_comms", "incident_update"} <= set(action_ids)

    ref = incident.reference
    assert "alice is incident lead" in command(f"lead {ref}")["text"]
    assert "bob is comms lead" in command(f"comms <@U2|bob> {ref}")["text"]
    assert "is P1" in command(f"priority P1 {ref} all card payments failing")["text"]
    assert "identified" in command(f"status identified {ref} bad deploy")["text"]
    command(f"update {ref} Rolled back; payments recovering")
    command(f"note {ref} Deploy 123 was the cause")
    assert "resolved" in command(f"resolve {ref} Rolled back deploy 123")["text"]

    incident.refresh_from_db()
    assert (incident.status, incident.priority, incident.incident_lead, incident.comms_lead) == (
        "resolved",
        "P1",
        people["alice"],
        people["bob"],
    )
    kinds = list(TimelineEntry.objects.filter(incident=incident).values_list("kind", flat=True))
    for kind in ("declared", "role", "priority", "status", "update", "note", "resolved"):
        assert kind in kinds
    # The web page shows the same incident and timeline.
    web = Client()
    web.force_login(people["alice"])
    page = web.get(f"/incidents/{ref}/")
    assert page.status_code == 200
    assert "Rolled back; payments recovering" in page.content.decode()


def test_in_an_incident_channel_the_reference_is_not_needed(people: dict[str, Any]) -> None:
    incident = make_incident(people["alice"])
    IncidentChannel.objects.create(incident=incident, channel_id="CINC", name="inc")
    command("update Still looking", channel="CINC")
    assert incident.timeline.filter(kind="update", text="Still looking").exists()
    assert "Which incident?" in command("update Still looking")["text"]


def test_show_list_and_help(people: dict[str, Any]) -> None:
    incident = make_incident(people["alice"], title="Logins slow")
    assert "Logins slow" in command(f"show {incident.reference}")["text"]
    assert incident.reference in command("list")["text"]
    assert "declare P2" in command("help")["text"]
    assert "declare P2" in command("")["text"]
    assert "no `frobnicate` subcommand" in command("frobnicate")["text"]


def test_declare_with_no_text_opens_the_modal(people: dict[str, Any], slack: FakeSlackWeb) -> None:
    make_service("payments", name="Payments")
    command("declare")
    (opened,) = slack.called("views.open")
    assert opened["view"]["callback_id"] == "declare"
    assert Incident.objects.count() == 0


def test_viewers_cannot_act_and_hear_why(people: dict[str, Any]) -> None:
    incident = make_incident(people["alice"])
    reply = command(f"update {incident.reference} hello", user="UVIEW")
    assert reply["response_type"] == "ephemeral"
    assert "cannot" in reply["text"].lower()
    assert not incident.timeline.filter(kind="update").exists()
    make_service("payments")
    assert "Only responders can declare" in command("declare P2 payments Broken", user="UVIEW")["text"]
    assert Incident.objects.count() == 1


def test_restricted_incidents_are_invisible_to_outsiders(people: dict[str, Any]) -> None:
    secret = make_incident(people["alice"], title="Credential leak", type="security_incident")
    assert secret.restricted
    assert "Credential leak" not in command("list", user="U2")["text"]
    reply = command(f"show {secret.reference}", user="U2")
    assert "Credential leak" not in str(reply)
    assert reply["text"] == command("show INC-2099-9999", user="U2")["text"].replace("INC-2099-9999", secret.reference)
    assert "Credential leak" in command("list")["text"]


def test_unknown_slack_user_is_told_how_to_get_access(people: dict[str, Any]) -> None:
    reply = command("list", user="USTRANGER")
    assert reply["response_type"] == "ephemeral"
    assert "stranger@elsewhere.example" in reply["text"]
    assert "admin" in reply["text"]


def test_bad_input_gets_a_clear_answer_and_changes_nothing(people: dict[str, Any]) -> None:
    make_service("payments")
    assert "No service called 'nope'" in command("declare P2 nope Broken")["text"]
    assert "declare P2 <service> <title>" in command("declare payments Broken")["text"]
    incident = make_incident(people["alice"])
    assert "status investigating|identified|monitoring" in command(f"status bogus {incident.reference}")["text"]
    assert "priority P2 <reason>" in command(f"priority P1 {incident.reference}")["text"]
    assert "Enter the update" in command(f"update {incident.reference}")["text"]
    assert "Only admins can close" in command(f"status closed {incident.reference}")["text"]
    incident.refresh_from_db()
    assert (incident.status, incident.priority) == ("investigating", "P3")
    assert Incident.objects.count() == 1


def _raw(body: str, headers: dict[str, str]) -> Any:
    return Client().post("/slack/events", data=body, content_type="application/x-www-form-urlencoded", **headers)


def test_forged_missing_and_expired_signatures_are_refused(people: dict[str, Any]) -> None:
    make_service("payments")
    body = command_body("declare P2 payments Forged")
    assert _raw(body, signed_headers(body, secret="not-the-secret")).status_code == 401
    assert _raw(body, {}).status_code == 401
    stale = int(time.time()) - 6 * 60
    assert _raw(body, signed_headers(body, timestamp=stale)).status_code == 401
    tampered = signed_headers(body)
    assert _raw(body.replace("Forged", "Changed"), tampered).status_code == 401
    assert Incident.objects.count() == 0
    assert _raw(body, signed_headers(body)).status_code == 200
    assert Incident.objects.count() == 1


def test_refused_when_slack_is_not_configured(settings: Any, people: dict[str, Any]) -> None:
    settings.SLACK_SIGNING_SECRET = ""
    body = command_body("list")
    assert _raw(body, signed_headers(body, secret="")).status_code == 503


def test_a_replayed_signed_request_does_nothing(people: dict[str, Any]) -> None:
    incident = make_incident(people["alice"])
    body = command_body(f"note {incident.reference} Checked the load balancer")
    headers = signed_headers(body)
    notes = TimelineEntry.objects.filter(incident=incident, kind="note")
    for _ in range(2):
        # The same bytes and signature twice, well inside Bolt's 5-minute window.
        response = Client().post(
            "/slack/events", data=body, content_type="application/x-www-form-urlencoded", **headers
        )
        assert response.status_code == 200
    assert notes.count() == 1


def _mrkdwn(reply: dict[str, Any]) -> list[str]:
    """Everything Slack reads as mrkdwn: the message text and each mrkdwn text object (plain_text is never parsed)."""
    found = [reply.get("text", "")]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(reply.get("blocks", []))
    return found


def test_titles_are_escaped_in_mrkdwn(people: dict[str, Any]) -> None:
    incident = make_incident(people["alice"], title="<!channel> payments & <https://evil.example|login>")
    for reply in (command(f"show {incident.reference}"), command("list")):
        texts = _mrkdwn(reply)
        assert not any("<!channel>" in text or "<https://evil.example" in text for text in texts), texts
        assert any("&lt;!channel&gt; payments &amp; &lt;https://evil.example|login&gt;" in text for text in texts), (
            texts
        )

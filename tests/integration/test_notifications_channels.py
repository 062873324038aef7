"""Teams, GOV.UK Notify and Slack incoming webhooks through their real clients against local fakes."""

from __future__ import annotations

import socket
from datetime import UTC, datetime

import pytest
import time_machine

from tests.factories import make_incident, make_user
from tests.fakes.http import Failure, FakeServer
from tests.fakes.notify import API_KEY
from tests.fakes.worker import run_tasks
from watchkeeper.notifications import services as notifications
from watchkeeper.notifications.models import Audience, Delivery, Status
from watchkeeper.notifications.routing import GDS_DEFAULTS

pytest_plugins = ["tests.fakes.fixtures"]
pytestmark = pytest.mark.django_db(transaction=True)
TEMPLATE = "f33517ff-2a88-4f6e-b855-c550268ce08a"


@pytest.fixture
def admin():
    return make_user("root", "admin")


def test_teams_gets_an_adaptive_card(admin, teams) -> None:
    channel = notifications.create_channel(admin, name="teams", kind="teams", target=f"{teams.url}/workflows/abc")
    notifications.create_route(admin, channel=channel)
    incident = make_incident(priority="P2", title="Search is slow")
    run_tasks()
    [request] = teams.requests
    assert request.path == "/workflows/abc"
    card = request.json()["attachments"][0]["content"]
    assert card["type"] == "AdaptiveCard"
    assert incident.reference in card["body"][0]["text"]
    assert {"title": "Priority", "value": "P2"} in card["body"][-1]["facts"]
    assert Delivery.objects.get(channel=channel).status == Status.SENT


def test_notify_sms_and_email_use_the_template_and_the_idempotency_key_as_reference(admin, notify) -> None:
    sms = notifications.create_channel(
        admin, name="on-call", kind="notify_sms", target="07700 900982", template_id=TEMPLATE
    )
    email = notifications.create_channel(
        admin, name="leaders", kind="notify_email", target="heads@example.gov.uk", template_id=TEMPLATE, secret=API_KEY
    )
    notifications.create_route(admin, channel=sms, priorities=["P1"])
    notifications.create_route(admin, channel=email, priorities=["P1"])
    incident = make_incident(priority="P1", title="Everything is down")
    make_incident(priority="P3")
    run_tasks()
    by_kind = {sent["kind"]: sent for sent in notify.sent}
    assert set(by_kind) == {"sms", "email"}
    assert by_kind["sms"]["phone_number"] == "07700 900982"
    assert by_kind["sms"]["template_id"] == TEMPLATE
    assert by_kind["email"]["email_address"] == "heads@example.gov.uk"
    assert by_kind["sms"]["personalisation"]["reference"] == incident.reference
    assert by_kind["sms"]["reference"] == Delivery.objects.get(channel=sms).key


def test_notify_rejecting_the_key_is_permanent(admin, notify) -> None:
    wrong_key = API_KEY[:-36] + "00000000-0000-0000-0000-000000000000"
    channel = notifications.create_channel(
        admin, name="on-call", kind="notify_sms", target="07700 900982", template_id=TEMPLATE, secret=wrong_key
    )
    notifications.create_route(admin, channel=channel)
    make_incident(priority="P1")
    run_tasks()
    delivery = Delivery.objects.get(channel=channel)
    assert delivery.status == Status.FAILED and "403" in delivery.last_error and delivery.attempts == 1


def test_notify_server_errors_are_retried(admin, notify) -> None:
    channel = notifications.create_channel(
        admin, name="on-call", kind="notify_sms", target="07700 900982", template_id=TEMPLATE
    )
    notifications.create_route(admin, channel=channel)
    notify.fail_next(Failure(500))
    make_incident(priority="P1")
    run_tasks()
    delivery = Delivery.objects.get(channel=channel)
    assert delivery.status == Status.PENDING and delivery.attempts == 1 and "500" in delivery.last_error


def test_notify_out_of_reach_is_retried_not_a_crash(admin, settings) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    settings.NOTIFY_API_KEY = API_KEY
    settings.NOTIFY_BASE_URL = f"http://127.0.0.1:{port}"
    channel = notifications.create_channel(
        admin, name="on-call", kind="notify_sms", target="07700 900982", template_id=TEMPLATE
    )
    notifications.create_route(admin, channel=channel)
    make_incident(priority="P1")
    run_tasks()
    delivery = Delivery.objects.get(channel=channel)
    assert delivery.status == Status.PENDING and delivery.attempts == 1
    # Notify's client reports a connection it could not make as a 503 with no body.
    assert "Notify 503" in delivery.last_error


def test_slack_incoming_webhook(admin, allow_private_endpoints) -> None:
    hook = FakeServer()
    try:
        channel = notifications.create_channel(
            admin, name="slack-hook", kind="slack_webhook", target=f"{hook.url}/services/T0/B0/secret"
        )
        notifications.create_route(admin, channel=channel)
        make_incident(priority="P2", title="Logins failing")
        run_tasks()
        [request] = hook.requests
        assert request.path == "/services/T0/B0/secret"
        assert "Logins failing" in request.json()["text"]
        assert request.json()["blocks"][0]["type"] == "header"
    finally:
        hook.close()


def test_secret_from_the_environment_is_read_when_sending(admin, notify, monkeypatch) -> None:
    channel = notifications.create_channel(
        admin, name="on-call", kind="notify_sms", target="07700 900982", template_id=TEMPLATE, secret="env:WK_NOTIFY"
    )
    assert channel.secret == "env:WK_NOTIFY"
    notifications.create_route(admin, channel=channel)
    make_incident(priority="P1")
    monkeypatch.setenv("WK_NOTIFY", API_KEY)
    run_tasks()
    assert Delivery.objects.get(channel=channel).status == Status.SENT


def test_a_p1_declared_at_3am_reaches_slack_email_sms_and_escalation_within_seconds(admin, notify, slack, smtp) -> None:
    team = notifications.create_channel(admin, name="team-slack", kind="slack", target="#pay-team")
    wider = notifications.create_channel(admin, name="incident", kind="slack", target="#incident")
    escalation = notifications.create_channel(admin, name="heads", kind="email", target="heads@example.gov.uk")
    on_call = notifications.create_channel(
        admin, name="on-call", kind="notify_sms", target="07700 900982", template_id=TEMPLATE
    )
    notifications.install_gds_defaults(
        admin, {Audience.TEAM: team, Audience.WIDER: wider, Audience.ESCALATION: escalation}
    )
    notifications.create_route(
        admin, channel=on_call, audience=Audience.ESCALATION, **GDS_DEFAULTS[Audience.ESCALATION]
    )
    with time_machine.travel(datetime(2026, 3, 3, 3, 0, tzinfo=UTC), tick=False):
        incident = make_incident(priority="P1", title="Payments failing")
        run_tasks()
    assert {m["text"] for m in slack.messages} == {f"{incident.reference} declared: Payments failing"}
    assert len(slack.messages) == 2  # the team's channel and the wider audience's
    assert [m["To"] for m in smtp.inbox.messages] == ["heads@example.gov.uk"]
    assert [s["phone_number"] for s in notify.sent] == ["07700 900982"]
    assert set(Delivery.objects.filter(incident=incident).values_list("status", flat=True)) == {Status.SENT}

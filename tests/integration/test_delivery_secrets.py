"""A webhook URL is a credential: it is never stored in, or shown from, a delivery's error, whatever the receiver
did wrong, and only admins read the channels that hold them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tests.factories import make_incident, make_user
from tests.fakes.http import Failure, FakeServer
from tests.fakes.webhooks import WEBHOOK_SECRET, TeamsWebhook, WebhookReceiver
from tests.fakes.worker import run_tasks
from watchkeeper.accounts.services import create_token
from watchkeeper.incidents.models import Incident
from watchkeeper.notifications import services as notifications
from watchkeeper.notifications.channels import scrub
from watchkeeper.notifications.models import Delivery, Status

pytest_plugins = ["tests.fakes.fixtures"]
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("allow_private_endpoints")]

SECRET_PATH = "/workflows/0a1b2c3d/triggers/manual/paths/invoke"
SECRET_QUERY = "sig=Zm9vYmFyYmF6cXV1eA"


def gone_away() -> str:
    """The address of a server that has just stopped: connecting is refused, as when a receiver is down."""
    server = FakeServer()
    url = server.url
    server.close()
    return url


def everything_shown(incident_reference: str) -> str:
    """Every place a viewer or the comms lead could read about the delivery: API, page, timeline, notices."""
    viewer = make_user(None, "viewer")
    api = Client().get(
        f"/api/v1/incidents/{incident_reference}/deliveries",
        HTTP_AUTHORIZATION=f"Bearer {create_token(viewer.username)}",
    )
    assert api.status_code == 200
    client = Client()
    client.force_login(viewer)
    page = client.get(f"/incidents/{incident_reference}/")
    assert page.status_code == 200
    stored = [(d.last_error, d.payload) for d in Delivery.objects.all()]
    timeline = [e.text for e in Incident.objects.get(reference=incident_reference).timeline.all()]
    return "\n".join([api.content.decode(), page.content.decode(), json.dumps(stored), *timeline])


def assert_no_secret(shown: str, *secrets: str) -> None:
    for secret in secrets:
        assert secret not in shown


@pytest.fixture
def admin() -> Any:
    return make_user("root", "admin")


def test_a_teams_webhook_that_refuses_connections_leaves_no_url_in_the_error(admin, fast_retries, settings) -> None:
    settings.NOTIFICATIONS = {**settings.NOTIFICATIONS, "MAX_ATTEMPTS": 1}
    url = f"{gone_away()}{SECRET_PATH}?{SECRET_QUERY}"
    channel = notifications.create_channel(admin, name="teams", kind="teams", target=url)
    notifications.create_route(admin, channel=channel)
    incident = make_incident(priority="P1")
    run_tasks()
    delivery = Delivery.objects.get(channel=channel)
    assert delivery.status == Status.FAILED
    assert "could not connect" in delivery.last_error and "127.0.0.1" in delivery.last_error
    assert_no_secret(everything_shown(incident.reference), SECRET_PATH, SECRET_QUERY, "0a1b2c3d")


def test_a_slack_webhook_echoing_its_url_in_a_refusal_leaves_no_url_in_the_error(admin, fast_retries) -> None:
    hook = TeamsWebhook()  # any receiver will do: this one answers 400 with its own address in the body
    try:
        url = f"{hook.url}/services/T000/B000/XXXXSECRETXXXX"
        echo = {"error": f"no such hook {url}", "path": "/services/T000/B000/XXXXSECRETXXXX"}
        hook.fail_next(Failure(400, body=json.dumps(echo).encode()))
        channel = notifications.create_channel(admin, name="slack-hook", kind="slack_webhook", target=url)
        notifications.create_route(admin, channel=channel)
        incident = make_incident(priority="P1")
        run_tasks()
    finally:
        hook.close()
    delivery = Delivery.objects.get(channel=channel)
    assert delivery.status == Status.FAILED and "HTTP 400" in delivery.last_error
    assert_no_secret(everything_shown(incident.reference), "XXXXSECRETXXXX", "/services/T000")


def test_a_signed_webhook_timing_out_shows_only_its_host(admin, fast_retries, settings) -> None:
    settings.NOTIFICATIONS = {**settings.NOTIFICATIONS, "MAX_ATTEMPTS": 1}
    receiver = WebhookReceiver(WEBHOOK_SECRET)
    try:
        receiver.fail_next(Failure(200, delay=1.5))
        target = f"{receiver.url}/hooks/incidents?token=receiver-own-token"
        channel = notifications.create_channel(admin, name="hook", kind="webhook", target=target, secret=WEBHOOK_SECRET)
        notifications.create_route(admin, channel=channel)
        incident = make_incident(priority="P1")
        run_tasks()
    finally:
        receiver.close()
    delivery = Delivery.objects.get(channel=channel)
    assert delivery.status == Status.FAILED and "timed out" in delivery.last_error
    # The receiver's own URL is kept to send to, but shown only as its scheme and host.
    shown = everything_shown(incident.reference)
    assert_no_secret(shown, "receiver-own-token", "/hooks/incidents", WEBHOOK_SECRET.removeprefix("whsec_"))
    assert receiver.url in shown


def test_scrub_removes_secrets_and_every_url_path() -> None:
    text = (
        "HTTPConnectionPool(host='hooks.example', port=443): Max retries exceeded with url: /services/T/B/abc "
        "(Caused by ...) calling https://user:pw@hooks.example/services/T/B/abc?x=1 with xoxb-1234-token"
    )
    clean = scrub(text, "xoxb-1234-token")
    assert "/services" not in clean and "xoxb" not in clean and "pw@" not in clean
    assert "https://hooks.example/[redacted]" in clean and "url: [redacted]" in clean


def test_only_admins_read_channels(admin) -> None:
    channel = notifications.create_channel(admin, name="team", kind="email", target="team-lead@example.gov.uk")
    for group in ("viewer", "responder", "security", "data_protection"):
        person = make_user(None, group)
        headers = {"HTTP_AUTHORIZATION": f"Bearer {create_token(person.username)}"}
        for path in ("/api/v1/channels", f"/api/v1/channels/{channel.pk}", "/api/v1/channels/999999"):
            response = Client().get(path, **headers)
            assert response.status_code == 403, (group, path)
            assert b"team-lead@" not in response.content
    headers = {"HTTP_AUTHORIZATION": f"Bearer {create_token('root')}"}
    assert [c["target"] for c in Client().get("/api/v1/channels", **headers).json()] == ["team-lead@example.gov.uk"]

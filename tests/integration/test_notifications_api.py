"""The channels, routes and deliveries API: exact contract, admin-only writes, no secret ever returned."""

from __future__ import annotations

import pytest

from tests.factories import make_incident, make_service, make_user
from tests.fakes.webhooks import WEBHOOK_SECRET
from watchkeeper.accounts.services import create_token
from watchkeeper.notifications.models import Channel, Route

pytestmark = pytest.mark.django_db


def auth(username: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {create_token(username)}"}


@pytest.fixture
def admin() -> dict[str, str]:
    make_user("root", "admin")
    return auth("root")


def post(client, path, body, headers):
    return client.post(path, body, "application/json", **headers)


def test_channel_crud_never_returns_secrets(client, admin) -> None:
    response = post(
        client,
        "/api/v1/channels",
        {"name": "ops-hook", "kind": "webhook", "target": "https://hooks.example.com/in", "secret": WEBHOOK_SECRET},
        admin,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["has_secret"] is True and "secret" not in body
    assert WEBHOOK_SECRET not in response.content.decode()
    stored = Channel.objects.get(name="ops-hook")
    assert stored.secret and WEBHOOK_SECRET not in stored.secret, "secret is encrypted at rest"

    one = client.get(f"/api/v1/channels/{body['id']}", **admin)
    assert one.json()["target"] == "https://hooks.example.com/in"
    patched = client.patch(f"/api/v1/channels/{body['id']}", {"enabled": False}, "application/json", **admin)
    assert patched.status_code == 200 and patched.json()["enabled"] is False
    assert Channel.objects.get(pk=body["id"]).secret == stored.secret, "a PATCH without a secret keeps it"
    assert client.delete(f"/api/v1/channels/{body['id']}", **admin).status_code == 204
    assert client.get(f"/api/v1/channels/{body['id']}", **admin).status_code == 404


def test_webhook_urls_that_are_credentials_are_shortened(client, admin) -> None:
    url = "https://hooks.slack.com/services/T000/B000/XXXXSECRET"
    response = post(client, "/api/v1/channels", {"name": "slack-hook", "kind": "slack_webhook", "target": url}, admin)
    assert response.status_code == 201
    assert "XXXXSECRET" not in response.content.decode()
    assert response.json()["target"] == "https://hooks.slack.com/…"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "kind": "pigeon", "target": "a"}, "kind"),
        ({"name": "x", "kind": "email", "target": "not-an-address"}, "target"),
        ({"name": "x", "kind": "webhook", "target": "http://example.com/hook", "secret": WEBHOOK_SECRET}, "target"),
        ({"name": "x", "kind": "webhook", "target": "https://example.com/hook", "secret": "plain"}, "secret"),
        ({"name": "x", "kind": "notify_sms", "target": "07700 900982"}, "template_id"),
        ({"name": "x", "kind": "email"}, "target"),
    ],
)
def test_bad_channels_are_422_naming_the_field(client, admin, body, field) -> None:
    response = post(client, "/api/v1/channels", body, admin)
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert field in [e["field"] for e in response.json()["errors"]]
    assert not Channel.objects.exists()


def test_only_admins_change_channels_and_routes(client) -> None:
    make_user("resp", "responder")
    headers = auth("resp")
    response = post(client, "/api/v1/channels", {"name": "x", "kind": "email", "target": "a@example.gov.uk"}, headers)
    assert response.status_code == 403
    assert post(client, "/api/v1/routes", {"channel": 1}, headers).status_code == 403
    assert client.get("/api/v1/channels", **headers).status_code == 403


def test_route_crud_with_filters(client, admin) -> None:
    service = make_service("pay-api")
    channel = post(client, "/api/v1/channels", {"name": "team", "kind": "email", "target": "t@example.gov.uk"}, admin)
    response = post(
        client,
        "/api/v1/routes",
        {"channel": "team", "service": "pay-api", "priorities": ["p1", "P2"], "events": ["incident.declared"]},
        admin,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["channel"] == channel.json()["id"] and body["service"] == "pay-api"
    assert body["priorities"] == ["P1", "P2"] and body["incident_types"] == []
    route_id = body["id"]
    patched = client.patch(f"/api/v1/routes/{route_id}", {"events": []}, "application/json", **admin)
    assert patched.json()["events"] == []
    assert Route.objects.get(pk=route_id).service == service
    bad = post(client, "/api/v1/routes", {"channel": "team", "events": ["incident.exploded"]}, admin)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "events"
    missing = post(client, "/api/v1/routes", {"channel": "nope"}, admin)
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "channel"
    assert [r["id"] for r in client.get("/api/v1/routes", **admin).json()] == [route_id]
    assert client.delete(f"/api/v1/routes/{route_id}", **admin).status_code == 204


def test_delivery_log_follows_incident_visibility(client, admin) -> None:
    post(client, "/api/v1/channels", {"name": "team", "kind": "email", "target": "t@example.gov.uk"}, admin)
    post(client, "/api/v1/routes", {"channel": "team"}, admin)
    open_incident = make_incident(priority="P2")
    secret_incident = make_incident(priority="P2", type="security_incident")
    make_user("viewer1", "viewer")
    viewer = auth("viewer1")
    log = client.get(f"/api/v1/incidents/{open_incident.reference}/deliveries", **viewer)
    assert log.status_code == 200
    [entry] = log.json()
    assert entry["channel"] == "team" and entry["status"] == "pending" and entry["event"] == "incident.declared"
    assert client.get(f"/api/v1/incidents/{secret_incident.reference}/deliveries", **viewer).status_code == 404


def test_deleting_a_channel_fails_its_unsent_deliveries(client, admin) -> None:
    created = post(client, "/api/v1/channels", {"name": "team", "kind": "email", "target": "t@example.gov.uk"}, admin)
    post(client, "/api/v1/routes", {"channel": "team"}, admin)
    incident = make_incident(priority="P2")
    assert client.delete(f"/api/v1/channels/{created.json()['id']}", **admin).status_code == 204
    [entry] = client.get(f"/api/v1/incidents/{incident.reference}/deliveries", **admin).json()
    assert entry["status"] == "failed" and "deleted" in entry["last_error"] and entry["channel"] is None

"""Publishing to the status page over the API: the web forms' rules, components by id or slug, subscribers told."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from tests.factories import make_component, make_incident, make_service, make_user
from watchkeeper.accounts.services import create_token
from watchkeeper.statuspage import services
from watchkeeper.statuspage.models import PublicIncident, PublicUpdate

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def snapshot_dir(settings: Any, tmp_path: Path) -> Path:
    settings.STATUSPAGE_SNAPSHOT_DIR = tmp_path / "snapshot"
    return tmp_path / "snapshot"


@pytest.fixture
def world() -> dict[str, Any]:
    lead = make_user("comms")
    service = make_service("payments", name="Pay for things")
    api = make_component(service, "api", name="Payments API")
    web = make_component(service, "web", name="Payment pages")
    incident = make_incident(lead, service, title="db01 disk full")
    return {"lead": lead, "service": service, "api": api, "web": web, "incident": incident}


def post(client: Client, who: str, path: str, body: dict[str, Any]) -> Any:
    return client.post(
        f"/api/v1{path}", json.dumps(body), "application/json", HTTP_AUTHORIZATION=f"Bearer {create_token(who)}"
    )


def fan_outs() -> int:
    return DBTaskResult.objects.filter(task_path__endswith="fan_out").count()


def test_publish_then_update_with_components_by_slug_and_id(client: Client, world: dict[str, Any]) -> None:
    body = {
        "incident": world["incident"].reference,
        "title": "Payments are failing",
        "status": "investigating",
        "body": "Some payments fail.",
        "components": {"api": "major_outage", str(world["web"].pk): "degraded_performance"},
    }
    created = post(client, "comms", "/status/incidents", body)
    assert created.status_code == 201, created.content
    data = created.json()
    public = PublicIncident.objects.get(pk=data["id"])
    assert (public.name, public.status, public.impact) == ("Payments are failing", "investigating", "critical")
    assert data["incident"] == world["incident"].reference
    assert data["components"] == {str(world["api"].pk): "major_outage", str(world["web"].pk): "degraded_performance"}
    assert services.current_status(world["api"]) == "major_outage"
    assert fan_outs() == 1, "subscribers are told, as from the form"

    update = post(
        client,
        "comms",
        f"/status/incidents/{public.pk}/updates",
        {"status": "resolved", "body": "Fixed.", "components": {"payments/api": "operational"}},
    )
    assert update.status_code == 201, update.content
    assert update.json()["incident_id"] == public.pk
    public.refresh_from_db()
    assert public.status == "resolved" and public.resolved_at is not None
    # Resolving puts the components the post does not mention back to operational, as the form does.
    assert services.current_status(world["web"]) == "operational"
    assert fan_outs() == 2


def test_bad_input_names_the_field_and_changes_nothing(client: Client, world: dict[str, Any]) -> None:
    reference = world["incident"].reference
    cases = [
        ({"incident": reference, "title": "T", "status": "broken"}, "status"),
        ({"incident": reference, "title": "T", "components": {"api": "on_fire"}}, "components"),
        ({"incident": reference, "title": "T", "components": {"nope": "major_outage"}}, "components.nope"),
        ({"incident": reference, "title": "  "}, "name"),
    ]
    for body, field in cases:
        response = post(client, "comms", "/status/incidents", body)
        assert response.status_code == 422, (body, response.content)
        assert response["Content-Type"] == "application/problem+json"
        assert any(e["field"].startswith(field) for e in response.json()["errors"]), response.json()
    assert not PublicIncident.objects.exists()
    assert post(client, "comms", "/status/incidents", {"incident": "INC-1999-0001", "title": "T"}).status_code == 404


def test_an_ambiguous_slug_asks_for_the_id(client: Client, world: dict[str, Any]) -> None:
    make_component(make_service("other"), "api")
    body = {"incident": world["incident"].reference, "title": "T", "components": {"api": "major_outage"}}
    response = post(client, "comms", "/status/incidents", body)
    assert response.status_code == 422
    assert "SERVICE/api" in response.json()["detail"]


def test_who_may_publish_and_restricted_incidents(client: Client, world: dict[str, Any]) -> None:
    make_user("watcher", "viewer")
    make_user("root", "admin")
    make_user("sec", "security", "responder")
    make_user("bystander")
    body = {"incident": world["incident"].reference, "title": "Payments are failing"}
    assert post(client, "watcher", "/status/incidents", body).status_code == 403
    secret = make_incident(world["lead"], world["service"], title="Intrusion", type="security_incident")
    restricted = {"incident": secret.reference, "title": "Problem"}
    assert post(client, "bystander", "/status/incidents", restricted).status_code == 404, "invisible to outsiders"
    assert post(client, "sec", "/status/incidents", restricted).status_code == 403, "only an admin"
    assert post(client, "comms", "/status/incidents", restricted).status_code == 403, "its reporter neither"
    refused = post(client, "root", "/status/incidents", restricted)
    assert refused.status_code == 403 and "admin confirms" in refused.json()["detail"]
    assert not PublicIncident.objects.exists()
    assert post(client, "root", "/status/incidents", {**restricted, "confirm_restricted": True}).status_code == 201

    public = services.publish_incident(world["lead"], world["incident"], name="Slow")
    update = {"status": "identified", "body": "Found it"}
    assert post(client, "watcher", f"/status/incidents/{public.pk}/updates", update).status_code == 403
    assert post(client, "comms", "/status/incidents/999999/updates", update).status_code == 404
    assert PublicUpdate.objects.filter(public_incident=public).count() == 1


def test_an_update_without_notifying_tells_nobody(client: Client, world: dict[str, Any]) -> None:
    public = services.publish_incident(world["lead"], world["incident"], name="Slow", notify=False)
    before = fan_outs()
    response = post(
        client, "comms", f"/status/incidents/{public.pk}/updates", {"status": "monitoring", "notify": False}
    )
    assert response.status_code == 201
    assert response.json()["body"], "the standard wording fills an empty message, as on the form"
    assert fan_outs() == before

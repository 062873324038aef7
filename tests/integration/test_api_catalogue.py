from __future__ import annotations

import pytest

from tests.factories import make_service, make_team, make_user
from watchkeeper.accounts.services import create_token, revoke_token
from watchkeeper.catalogue.models import Service, Team

pytestmark = pytest.mark.django_db


def auth(username: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {create_token(username)}"}


def test_no_token_is_401_problem_json(client) -> None:
    response = client.get("/api/v1/teams")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 401


def test_revoked_token_is_refused(client) -> None:
    make_user("ada", "viewer")
    raw = create_token("ada")
    assert client.get("/api/v1/teams", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    assert revoke_token(raw) == 1
    assert client.get("/api/v1/teams", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_admin_creates_team_and_service(client) -> None:
    make_user("root", "admin")
    headers = auth("root")
    assert (
        client.post("/api/v1/teams", {"slug": "pay", "name": "Payments"}, "application/json", **headers).status_code
        == 201
    )
    response = client.post(
        "/api/v1/services",
        {
            "slug": "pay-api",
            "name": "Pay API",
            "team": "pay",
            "division": "scotland",
            "opening": "09:00",
            "closing": "17:00",
        },
        "application/json",
        **headers,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["team"] == "pay"
    assert body["division"] == "scotland"
    assert body["opening"].startswith("09:00")
    listed = client.get("/api/v1/services", **headers).json()
    assert [s["slug"] for s in listed] == ["pay-api"]


def test_viewer_cannot_create(client) -> None:
    make_user("vic", "viewer")
    response = client.post("/api/v1/teams", {"slug": "x", "name": "X"}, "application/json", **auth("vic"))
    assert response.status_code == 403
    assert not Team.objects.exists()


def test_invalid_input_is_422_naming_the_field(client) -> None:
    make_user("root", "admin")
    make_team("pay")
    headers = auth("root")
    missing = client.post("/api/v1/services", {"slug": "x", "team": "pay"}, "application/json", **headers)
    assert missing.status_code == 422
    assert missing["Content-Type"] == "application/problem+json"
    assert "name" in missing.json()["detail"]

    bad_division = client.post(
        "/api/v1/services", {"slug": "x", "name": "X", "team": "pay", "division": "mars"}, "application/json", **headers
    )
    assert bad_division.status_code == 422
    assert "division" in bad_division.json()["detail"]

    unknown_team = client.post(
        "/api/v1/services", {"slug": "x", "name": "X", "team": "nope"}, "application/json", **headers
    )
    assert unknown_team.status_code == 422
    assert "team" in unknown_team.json()["detail"]
    assert not Service.objects.exists()


def test_components_filter_by_service(client) -> None:
    make_user("root", "admin")
    make_service("pay-api")
    make_service("notify")
    headers = auth("root")
    created = client.post(
        "/api/v1/components", {"service": "pay-api", "slug": "cards", "name": "Cards"}, "application/json", **headers
    )
    assert created.status_code == 201
    assert [c["slug"] for c in client.get("/api/v1/components?service=pay-api", **headers).json()] == ["cards"]
    assert client.get("/api/v1/components?service=notify", **headers).json() == []

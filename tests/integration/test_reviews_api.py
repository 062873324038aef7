"""The reviews API: report, review, actions and register, and 404 for every route on a restricted incident."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.factories import make_incident, make_service, make_user
from watchkeeper.accounts.services import create_token
from watchkeeper.incidents import services as incidents
from watchkeeper.reviews import services
from watchkeeper.reviews.models import Action

pytestmark = pytest.mark.django_db

MONDAY_10AM = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
JSON = "application/json"


def auth(username: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {create_token(username)}"}


@pytest.fixture
def resolved() -> object:
    lead = make_user("lead")
    with time_machine.travel(MONDAY_10AM, tick=False):
        incident = make_incident(lead, make_service("pay", name="Pay"), priority="P2", take_lead=True)
    with time_machine.travel(MONDAY_10AM + timedelta(hours=3), tick=False):
        incidents.resolve(lead, incident, "Rolled back")
    incident.refresh_from_db()
    return incident


def test_report_get_and_put(client, resolved) -> None:
    headers = auth("lead")
    url = f"/api/v1/incidents/{resolved.reference}/report"
    body = client.get(url, **headers).json()
    assert body["time_to_fix_minutes"] == 180
    assert body["time_to_fix"] == "3 hours"
    assert [s["key"] for s in body["sections"]] == ["overview", "user_impact", "services_affected"]
    version = body["version"]
    put = client.put(
        url,
        {"sections": {"overview": "Payments failed"}, "public_text": "Payments were slow", "version": version},
        JSON,
        **headers,
    )
    assert put.status_code == 200, put.content
    assert put.json()["sections"][0]["text"] == "Payments failed"
    stale = client.put(url, {"sections": {"overview": "again"}, "version": version}, JSON, **headers)
    assert stale.status_code == 409
    bad = client.put(url, {"sections": {"gossip": "x"}}, JSON, **headers)
    assert bad.status_code == 422
    assert bad["Content-Type"] == "application/problem+json"
    assert bad.json()["errors"][0]["field"] == "sections"


def test_review_get_and_put(client, resolved) -> None:
    headers = auth("lead")
    url = f"/api/v1/incidents/{resolved.reference}/review"
    proposed = client.get(url, **headers).json()
    assert proposed["proposed_for"].startswith("2026-12-07T10:00")
    assert proposed["invitees"] == ["lead"]
    with time_machine.travel(MONDAY_10AM + timedelta(days=2), tick=False):
        record = {"held_at": "2026-12-01T14:00:00Z", "attendance": "a", "root_cause": "x"}
        bad = client.put(url, record | {"attendance": "", "root_cause_category": "nope"}, JSON, **headers)
        assert bad.status_code == 422
        assert {e["field"] for e in bad.json()["errors"]} == {"attendance", "root_cause_category"}
        unknown_answer = record | {"root_cause_category": "capacity", "answers": {"who": "x"}}
        unknown = client.put(url, unknown_answer, JSON, **headers)
        assert unknown.status_code == 422
        good = client.put(
            url,
            {
                "held_at": "2026-12-01T14:00:00Z",
                "attendance": "lead, ops",
                "root_cause": "The database ran out of connections",
                "root_cause_category": "capacity",
                "answers": {"what_helped": "Good dashboards"},
            },
            JSON,
            **headers,
        )
    assert good.status_code == 200, good.content
    assert good.json()["answers"]["what_helped"] == "Good dashboards"
    assert good.json()["recorded_at"] is not None


@time_machine.travel(MONDAY_10AM, tick=False)
def test_open_incident_has_an_empty_review(client) -> None:
    incident = make_incident(make_user("ada"))
    body = client.get(f"/api/v1/incidents/{incident.reference}/review", **auth("ada")).json()
    assert body["proposed_for"] is None
    assert body["invitees"] == []
    assert body["recorded_at"] is None


def test_viewer_reads_but_cannot_write(client, resolved) -> None:
    make_user("vic", "viewer")
    headers = auth("vic")
    assert client.get(f"/api/v1/incidents/{resolved.reference}/report", **headers).status_code == 200
    put = client.put(f"/api/v1/incidents/{resolved.reference}/report", {"public_text": "x"}, JSON, **headers)
    assert put.status_code == 403


def test_actions_create_list_and_patch(client, resolved) -> None:
    headers = auth("lead")
    make_user("owner")
    url = f"/api/v1/incidents/{resolved.reference}/actions"
    with time_machine.travel(MONDAY_10AM + timedelta(days=1), tick=False):  # Tuesday 10:00
        created = client.post(
            url, {"title": "Pool size alert", "owner": "owner", "due_in_business_days": 3}, JSON, **headers
        )
    assert created.status_code == 201, created.content
    assert created.json()["due_at"].startswith("2026-12-04T10:00")
    unknown_owner = client.post(url, {"title": "x", "owner": "ghost", "due_in_business_days": 1}, JSON, **headers)
    assert unknown_owner.status_code == 422
    assert [a["title"] for a in client.get(url, **headers).json()] == ["Pool size alert"]
    action_id = created.json()["id"]
    patched = client.patch(f"/api/v1/actions/{action_id}", {"status": "done"}, JSON, **headers)
    assert patched.status_code == 200
    assert patched.json()["status"] == "done"
    assert client.patch(f"/api/v1/actions/{action_id}", {"status": "maybe"}, JSON, **headers).status_code == 422


@time_machine.travel(MONDAY_10AM + timedelta(days=1), tick=False)
def test_register_json_and_csv(client, resolved) -> None:
    headers = auth("lead")
    body = client.get("/api/v1/register", {"service": "pay"}, **headers).json()
    assert body["count"] == 1
    row = body["rows"][0]
    assert row["reference"] == resolved.reference
    assert row["total_duration_minutes"] == 180
    assert client.get("/api/v1/register", {"service": "nothing"}, **headers).json()["count"] == 0
    assert client.get("/api/v1/register", {"from": "2026-12-01"}, **headers).json()["count"] == 0
    assert client.get("/api/v1/register", {"from": "2026-11-30", "to": "2026-11-30"}, **headers).json()["count"] == 1
    assert client.get("/api/v1/register", {"from": "soon"}, **headers).status_code == 422
    response = client.get("/api/v1/register", {"format": "csv"}, **headers)
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][0] == "Reference"
    assert rows[1][0] == resolved.reference


def test_restricted_incident_is_404_on_every_route_for_outsiders(client) -> None:
    insider = make_user("sec", "security")
    with time_machine.travel(MONDAY_10AM, tick=False):
        incident = make_incident(insider, type="security_incident", take_lead=True)
        action = services.add_action(insider, incident, title="Rotate keys", owner=insider, due_in_business_days=1)
    ref = incident.reference
    make_user("resp", "responder")
    headers = auth("resp")
    calls = [
        ("get", f"/api/v1/incidents/{ref}/report", None),
        ("put", f"/api/v1/incidents/{ref}/report", {"public_text": "x"}),
        ("get", f"/api/v1/incidents/{ref}/review", None),
        (
            "put",
            f"/api/v1/incidents/{ref}/review",
            {"held_at": "2026-11-30T11:00:00Z", "attendance": "a", "root_cause": "b", "root_cause_category": "other"},
        ),
        ("get", f"/api/v1/incidents/{ref}/actions", None),
        ("post", f"/api/v1/incidents/{ref}/actions", {"title": "x", "owner": "resp", "due_in_business_days": 1}),
        ("patch", f"/api/v1/actions/{action.pk}", {"status": "done"}),
    ]
    for method, url, data in calls:
        call = getattr(client, method)
        response = call(url, data, JSON, **headers) if data is not None else call(url, **headers)
        assert response.status_code == 404, (method, url, response.content)
    listed = client.get("/api/v1/register", **headers).json()
    assert ref not in [row["reference"] for row in listed["rows"]]
    csv_text = b"".join(client.get("/api/v1/register", {"format": "csv"}, **headers).streaming_content).decode()
    assert ref not in csv_text
    assert Action.objects.get().status == "open"
    assert client.get(f"/api/v1/incidents/{ref}/report", **auth("sec")).status_code == 200

"""GET/PATCH /api/v1/incidents/{reference}/breach and the breach log export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
import time_machine

from tests.factories import make_incident, make_user
from watchkeeper.accounts.services import create_token

pytestmark = pytest.mark.django_db
AWARE = datetime(2026, 3, 27, 10, 0, tzinfo=UTC)


def auth(username: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {create_token(username)}"}


@pytest.fixture
def breach_ref():
    with time_machine.travel(AWARE, tick=False):
        lead = make_user("lead")
        return make_incident(lead, type="personal_data_breach", take_lead=True, title="Wrong letters sent").reference


def patch(client, reference: str, body: dict, user: str = "lead"):
    return client.patch(f"/api/v1/incidents/{reference}/breach", body, "application/json", **auth(user))


def test_get_shows_the_clock(client, breach_ref) -> None:
    response = client.get(f"/api/v1/incidents/{breach_ref}/breach", **auth("lead"))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["aware_at"].startswith("2026-03-27T10:00:00")
    assert body["ico_deadline"].startswith("2026-03-30T10:00:00")
    assert body["report_to_ico"] is None
    assert body["decisions"][0]["kind"] == "opened"


def test_patch_records_facts_risk_and_decision(client, breach_ref) -> None:
    response = patch(
        client,
        breach_ref,
        {
            "nature": "letters posted to old addresses",
            "people_count": 120,
            "risk": "risk",
            "risk_reasoning": "names and benefit amounts",
            "report_to_ico": True,
            "report_to_ico_reason": "risk to people",
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["people_count"], body["risk"], body["report_to_ico"]) == (120, "risk", True)
    kinds = [d["kind"] for d in body["decisions"]]
    assert kinds[-3:] == ["facts", "risk", "report_to_ico"]
    assert body["decisions"][-1]["by"] == "lead"


def test_patch_refuses_a_decision_without_its_reason(client, breach_ref) -> None:
    response = patch(client, breach_ref, {"report_to_ico": False})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == ["report_to_ico_reason"]
    response = patch(client, breach_ref, {"aware_at": "2026-03-27T08:00:00Z"})
    assert [e["field"] for e in response.json()["errors"]] == ["aware_at_reason"]


def test_patch_is_all_or_nothing(client, breach_ref) -> None:
    response = patch(client, breach_ref, {"nature": "changed", "tell_people": False})
    assert response.status_code == 422
    assert client.get(f"/api/v1/incidents/{breach_ref}/breach", **auth("lead")).json()["nature"] == ""


def test_patch_moves_the_deadline_with_aware_at(client, breach_ref) -> None:
    with time_machine.travel(datetime(2026, 3, 28, 9, 0, tzinfo=UTC), tick=False):
        response = patch(
            client, breach_ref, {"aware_at": "2026-03-27T08:00:00+00:00", "aware_at_reason": "supplier email"}
        )
    assert response.status_code == 200, response.content
    assert response.json()["ico_deadline"].startswith("2026-03-30T08:00:00")


def test_breach_log_json_and_csv_include_unreported_breaches(client, breach_ref) -> None:
    make_user("dpo", "security")
    reported = make_incident(make_user("lead2"), type="personal_data_breach", take_lead=True)
    patch(client, reported.reference, {"reported_to_ico_at": "2026-01-01T00:00:00Z", "ico_reference": "X"}, "lead2")
    rows = client.get("/api/v1/breaches", **auth("dpo")).json()["rows"]
    assert {r["reference"] for r in rows} == {breach_ref, reported.reference}
    unreported = next(r for r in rows if r["reference"] == breach_ref)
    assert unreported["report_to_ico"] == ""
    response = client.get("/api/v1/breaches?format=csv", **auth("dpo"))
    assert response["Content-Type"].startswith("text/csv")
    parsed = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {r["reference"] for r in parsed} == {breach_ref, reported.reference}


def test_breach_log_comes_as_xlsx_and_refuses_unknown_formats(client, breach_ref) -> None:
    make_user("dpo", "data_protection")
    response = client.get("/api/v1/breaches?format=xlsx", **auth("dpo"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert client.get("/api/v1/breaches?format=pdf", **auth("dpo")).status_code == 422


def test_breach_log_is_for_security_and_admins_only(client, breach_ref) -> None:
    make_user("resp", "responder")
    assert client.get("/api/v1/breaches", **auth("lead")).status_code == 403
    assert client.get("/api/v1/breaches", **auth("resp")).status_code == 403
    make_user("boss", "admin")
    assert client.get("/api/v1/breaches", **auth("boss")).status_code == 200


def test_post_marks_an_incident_as_involving_personal_data(client) -> None:
    lead = make_user("lead")
    incident = make_incident(lead, take_lead=True)
    assert client.get(f"/api/v1/incidents/{incident.reference}/breach", **auth("lead")).status_code == 404
    response = client.post(f"/api/v1/incidents/{incident.reference}/breach", **auth("lead"))
    assert response.status_code == 201, response.content
    assert client.get(f"/api/v1/incidents/{incident.reference}/breach", **auth("lead")).status_code == 200


def test_the_breach_log_is_paged_with_a_bounded_page_size(client, breach_ref) -> None:
    make_user("dpo", "security")
    other = make_incident(make_user("lead3"), type="personal_data_breach", take_lead=True)
    first = client.get("/api/v1/breaches?limit=1", **auth("dpo")).json()
    assert (first["count"], first["page"], first["pages"]) == (2, 1, 2)
    second = client.get("/api/v1/breaches?limit=1&page=2", **auth("dpo")).json()
    assert {first["rows"][0]["reference"], second["rows"][0]["reference"]} == {breach_ref, other.reference}
    assert client.get("/api/v1/breaches?limit=1000", **auth("dpo")).status_code == 422

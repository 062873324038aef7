"""The on-call API contracts: schedules, who is on call, shifts, overrides, policies, pages; 422 naming the field."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from icalendar import Calendar

from tests.factories import make_incident, make_team, make_user
from watchkeeper.accounts.services import create_token
from watchkeeper.oncall.models import EscalationPolicy, Override, Page, Schedule

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 10, 20, 12, tzinfo=UTC)


def auth(username: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {create_token(username)}"}


@pytest.fixture
def headers() -> dict[str, str]:
    make_user("root", "admin")
    for name in ("alice", "bob", "carol"):
        make_user(name)
    make_team("platform")
    return auth("root")


def post(client, path, body, headers, method="post"):
    return getattr(client, method)(path, body, "application/json", **headers)


SCHEDULE = {
    "slug": "platform-primary",
    "name": "Platform primary",
    "team": "platform",
    "time_zone": "Europe/London",
    "layers": [
        {
            "name": "Weekly",
            "members": ["alice", "bob"],
            "turn": "weekly",
            "turn_length": 1,
            "start": "2026-10-19T09:00:00+01:00",
            "restrict_to": None,
            "service": None,
        }
    ],
}


def test_schedule_crud_oncall_shifts_and_overrides(client, headers) -> None:
    with time_machine.travel(NOW, tick=False):
        created = post(client, "/api/v1/schedules", SCHEDULE, headers)
        assert created.status_code == 201, created.content
        body = created.json()
        assert body["ical_url"].endswith(".ics") and body["layers"][0]["members"] == ["alice", "bob"]
        assert [s["slug"] for s in client.get("/api/v1/schedules", **headers).json()] == ["platform-primary"]

        now = client.get("/api/v1/schedules/platform-primary/oncall?at=2026-10-27T03:00:00%2B00:00", **headers)
        assert now.json() == {
            "user": "bob",
            "from": "2026-10-26T09:00:00+00:00",
            "until": "2026-11-02T09:00:00+00:00",
            "source": "layer Weekly",
        }, "the 09:00 handoff stays 09:00 after the clocks go back"

        override = post(
            client,
            "/api/v1/schedules/platform-primary/overrides",
            {
                "user": "carol",
                "start": "2026-10-21T12:00:00+01:00",
                "end": "2026-10-21T14:00:00+01:00",
                "reason": "dentist",
            },
            headers,
        )
        assert override.status_code == 201 and override.json()["user"] == "carol"
        at = client.get("/api/v1/schedules/platform-primary/oncall?at=2026-10-21T12:30:00%2B01:00", **headers).json()
        assert at["user"] == "carol" and at["source"] == "override"

        shifts = client.get(
            "/api/v1/schedules/platform-primary/shifts?since=2026-10-12T00:00:00%2B00:00&until=2026-10-26T00:00:00%2B00:00",
            **headers,
        ).json()
        assert shifts["shifts"][0] == {
            "start": "2026-10-12T00:00:00+00:00",
            "end": "2026-10-19T08:00:00+00:00",
            "user": None,
            "source": None,
        }, "the time before the rota starts is a gap"
        assert [s["user"] for s in shifts["shifts"]] == [None, "alice", "carol", "alice"]
        assert 0 < shifts["coverage_pct"] < 100

        patched = post(client, "/api/v1/schedules/platform-primary", {"name": "Platform on call"}, headers, "patch")
        assert patched.status_code == 200 and patched.json()["name"] == "Platform on call"
        assert patched.json()["layers"][0]["members"] == ["alice", "bob"], "a PATCH without layers keeps them"

        feed = client.get(body["ical_url"].removeprefix("http://127.0.0.1:8000"))
        calendar = Calendar.from_ical(feed.content)
        events = [c for c in calendar.walk("VEVENT")]
        assert events and all(str(e["TRANSP"]) == "TRANSPARENT" for e in events)
        assert "example.gov.uk" not in feed.content.decode() and "BEGIN:VCALENDAR" in feed.content.decode()
        last = max(e.decoded("DTEND") for e in events)
        assert (last - NOW).days >= 365
        again = Calendar.from_ical(client.get(body["ical_url"].removeprefix("http://127.0.0.1:8000")).content)
        assert [str(e["UID"]) for e in again.walk("VEVENT")] == [str(e["UID"]) for e in events], "stable UIDs"

        assert client.delete("/api/v1/schedules/platform-primary", **headers).status_code == 204
        assert client.get("/api/v1/schedules/platform-primary", **headers).status_code == 404


def layer(**changes):
    return {**SCHEDULE, "layers": [{**SCHEDULE["layers"][0], **changes}]}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (layer(members=[]), "layers.0.members"),
        (layer(turn_length=0), "layers.0.turn_length"),
        ({**SCHEDULE, "time_zone": "Mars/Olympus"}, "time_zone"),
        (layer(turn="fortnightly"), "layers.0.turn"),
        (layer(members=["nobody"]), "layers.0.members"),
        (layer(start="2026-10-19T09:00:00"), "layers.0.start"),
    ],
)
def test_bad_schedules_are_refused_naming_the_field_and_nothing_is_saved(client, headers, body, field) -> None:
    response = post(client, "/api/v1/schedules", body, headers)
    assert response.status_code == 422, response.content
    assert field in [e["field"] for e in response.json()["errors"]]
    assert not Schedule.objects.exists()


def test_an_override_that_ends_before_it_starts_is_refused(client, headers) -> None:
    post(client, "/api/v1/schedules", SCHEDULE, headers)
    response = post(
        client,
        "/api/v1/schedules/platform-primary/overrides",
        {"user": "carol", "start": "2026-10-21T14:00:00+01:00", "end": "2026-10-21T12:00:00+01:00"},
        headers,
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "end"
    assert not Override.objects.exists()


POLICY = {
    "slug": "platform-24x7",
    "name": "Platform 24x7",
    "team": "platform",
    "repeat": 2,
    "steps": [
        {"ack_timeout_minutes": 5, "targets": [{"schedule": "platform-primary"}]},
        {"ack_timeout_minutes": 10, "targets": [{"user": "carol"}]},
    ],
}


def test_policy_crud(client, headers) -> None:
    post(client, "/api/v1/schedules", SCHEDULE, headers)
    created = post(client, "/api/v1/escalation-policies", POLICY, headers)
    assert created.status_code == 201, created.content
    assert created.json()["steps"] == POLICY["steps"] and created.json()["repeat"] == 2
    assert client.get("/api/v1/escalation-policies/platform-24x7", **headers).json()["name"] == "Platform 24x7"
    patched = post(client, "/api/v1/escalation-policies/platform-24x7", {"repeat": 0}, headers, "patch")
    assert patched.json()["repeat"] == 0 and len(patched.json()["steps"]) == 2
    assert len(client.get("/api/v1/escalation-policies", **headers).json()) == 1
    assert client.delete("/api/v1/escalation-policies/platform-24x7", **headers).status_code == 204


@pytest.mark.parametrize(
    ("steps", "field"),
    [
        ([{"ack_timeout_minutes": 0, "targets": [{"user": "carol"}]}], "steps.0.ack_timeout_minutes"),
        ([{"ack_timeout_minutes": 5, "targets": []}], "steps.0.targets"),
        ([], "steps"),
        ([{"targets": [{"schedule": "nope"}]}], "steps.0.targets.0.schedule"),
    ],
)
def test_bad_policies_are_refused_naming_the_field(client, headers, steps, field) -> None:
    response = post(client, "/api/v1/escalation-policies", {**POLICY, "steps": steps}, headers)
    assert response.status_code == 422, response.content
    assert field in [e["field"] for e in response.json()["errors"]]
    assert not EscalationPolicy.objects.exists()


def test_repeat_is_limited_to_nine(client, headers) -> None:
    response = post(
        client, "/api/v1/escalation-policies", {**POLICY, "repeat": 10, "steps": POLICY["steps"][1:]}, headers
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "repeat"


def test_paging_an_incident_acknowledging_twice_and_reading_the_page(client, headers) -> None:
    with time_machine.travel(NOW, tick=False):
        post(client, "/api/v1/schedules", SCHEDULE, headers)
        post(client, "/api/v1/escalation-policies", POLICY, headers)
        incident = make_incident(priority="P3")
        created = post(client, f"/api/v1/incidents/{incident.reference}/pages", {"policy": "platform-24x7"}, headers)
        assert created.status_code == 201, created.content
        page_id = created.json()["id"]
        assert created.json() == {"id": page_id, "status": "triggered"}
        page = client.get(f"/api/v1/pages/{page_id}", **headers).json()
        assert page["incident"] == incident.reference and page["notifications"][0]["user"] == "alice"
        assert page["notifications"][0]["status"] == "pending"

        alice = auth("alice")
        acked = client.post(f"/api/v1/pages/{page_id}/ack", **alice)
        assert acked.json() == {"status": "acknowledged", "by": "alice", "at": NOW.isoformat()}
        second = client.post(f"/api/v1/pages/{page_id}/ack", **auth("bob"))
        assert second.json()["by"] == "alice", "acknowledging twice says who was first"
        incident.refresh_from_db()
        assert incident.incident_lead.username == "alice", "acknowledging establishes the incident lead"
        after = client.get(f"/api/v1/pages/{page_id}", **headers).json()
        assert {n["status"] for n in after["notifications"]} == {"cancelled"}
        unknown = post(client, f"/api/v1/incidents/{incident.reference}/pages", {"policy": "nope"}, headers)
        assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "policy"
        assert Page.objects.count() == 1


def test_restricted_incidents_pages_are_invisible_to_outsiders(client, headers) -> None:
    incident = make_incident(type="security_incident", priority="P3")
    created = post(client, f"/api/v1/incidents/{incident.reference}/pages", {"users": ["carol"]}, headers)
    assert created.status_code == 201
    assert client.get(f"/api/v1/pages/{created.json()['id']}", **auth("bob")).status_code == 404

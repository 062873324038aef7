"""The incidents API: every endpoint, every error path, and restricted incidents kept from outsiders."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.http import HttpResponse
from django.test import Client

from tests.factories import make_incident, make_service, make_user
from watchkeeper.accounts.services import create_token
from watchkeeper.api.incidents import router
from watchkeeper.catalogue.models import Service
from watchkeeper.incidents import services as incidents
from watchkeeper.incidents.models import Incident
from watchkeeper.reviews.services import waive_review

pytestmark = pytest.mark.django_db

# Monday 30 November 2026, 10:00 GMT: inside office hours in England and Wales.
MONDAY_10AM = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
UNKNOWN = "INC-2026-9999"

# A valid body for every action on an open incident, so each route can be called as each kind of person.
ACTIONS: dict[str, dict[str, Any]] = {
    "lead": {"username": "bob"},
    "comms-lead": {"username": "bob"},
    "technical-lead": {"username": "bob"},
    "priority": {"priority": "P1", "reason": "All card payments failing"},
    "type": {"type": "denial_of_service", "reason": "A traffic flood"},
    "status": {"status": "identified"},
    "updates": {"body": "We are investigating"},
    "notes": {"body": "Checked the load balancer", "kind": "note"},
    "resolve": {"summary": "Rolled back"},
    "reopen": {"reason": "Failing again"},
    "close": {},
    "join": {},
    "leave": {},
    "checklist": {"step": "team_informed"},
}


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(MONDAY_10AM, tick=False) as traveller:
        yield traveller


@pytest.fixture
def people() -> dict[str, User]:
    return {
        "ada": make_user("ada", "responder"),
        "bob": make_user("bob", "responder"),
        "otto": make_user("otto", "responder"),
        "vic": make_user("vic", "viewer"),
        "sam": make_user("sam", "security"),
        "root": make_user("root", "admin"),
    }


@pytest.fixture
def service() -> Service:
    return make_service("pay-api")


@pytest.fixture
def incident(people: dict[str, User], service: Service) -> Incident:
    return make_incident(people["ada"], service, title="Card payments failing")


def call(client: Client, who: str, path: str, body: dict[str, Any] | None = None) -> HttpResponse:
    """GET without a body, POST with one, always as `who` with a fresh token."""
    headers = {"HTTP_AUTHORIZATION": f"Bearer {create_token(who)}"}
    if body is None:
        return client.get(f"/api/v1{path}", **headers)
    return client.post(f"/api/v1{path}", body, "application/json", **headers)


def fields(response: HttpResponse) -> set[str]:
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    return {error["field"] for error in response.json()["errors"]}


def at(text: str) -> datetime:
    instant = datetime.fromisoformat(text)
    assert instant.utcoffset() is not None, f"{text} has no offset"
    return instant


# Declaring -----------------------------------------------------------------------------------------------------------


def test_declare_returns_201_with_the_incident_and_its_clocks(client: Client, people: dict[str, User], service) -> None:
    noticed = MONDAY_10AM - timedelta(minutes=10)
    response = call(
        client,
        "ada",
        "/incidents",
        {
            "title": "Card payments failing",
            "service": "pay-api",
            "type": "technical_failure",
            "priority": "P1",
            "reported_at": noticed.isoformat(),
            "description": "Every card payment returns 500",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["reference"] == "INC-2026-0001"
    assert body["url"].endswith("/incidents/INC-2026-0001/")
    assert (body["service"], body["type"], body["priority"], body["status"]) == (
        "pay-api",
        "technical_failure",
        "P1",
        "investigating",
    )
    assert body["restricted"] is False
    assert body["declared_by"] == "ada"
    assert at(body["reported_at"]) == noticed
    assert at(body["declared_at"]) == MONDAY_10AM
    assert at(body["respond_by"]) == noticed + timedelta(minutes=20)
    assert at(body["first_update_by"]) == at(body["next_update_due"]) == noticed + timedelta(hours=1)
    assert (
        body["incident_lead"] is body["comms_lead"] is body["response_met_at"] is body["response_met_on_time"] is None
    )
    assert [(e["kind"], e["author"], e["public"]) for e in body["timeline"]] == [("declared", "ada", False)]
    assert [s["number"] for s in body["checklist"]] == [1, 2, 3, 4, 5, 6, 7]
    assert {s["step"] for s in body["checklist"] if s["done_by"] == "ada"} == {"prioritised"}


def test_a_p3_declared_late_on_friday_must_be_answered_on_monday(client: Client, people, service, clock) -> None:
    clock.move_to(datetime(2026, 11, 27, 16, 30, tzinfo=UTC))
    body = call(client, "ada", "/incidents", {"title": "Slow", "service": "pay-api", "priority": "P3"}).json()
    assert at(body["respond_by"]) == datetime(2026, 11, 30, 10, 30, tzinfo=UTC)  # two office hours
    assert body["timezone"] == "Europe/London"


def test_declare_and_take_the_lead(client: Client, people, service) -> None:
    body = call(client, "ada", "/incidents", {"title": "Down", "service": "pay-api", "take_lead": True}).json()
    assert body["incident_lead"] == "ada"
    assert at(body["response_met_at"]) == MONDAY_10AM
    assert body["response_met_on_time"] is True


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": None}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"service": "nope"}, "service"),
        ({"type": "volcano"}, "type"),
        ({"priority": "P9"}, "priority"),
        ({"reported_at": "2026-11-30T09:00:00"}, "reported_at"),
        ({"reported_at": "2026-11-30T11:00:00+00:00"}, "reported_at"),
        ({"reported_at": "yesterday"}, "reported_at"),
        ({"restricted": "perhaps"}, "restricted"),
    ],
)
def test_declare_refuses_bad_input_naming_the_field(client: Client, people, service, change, field) -> None:
    body = {"title": "Down", "service": "pay-api", **change}
    assert field in fields(call(client, "ada", "/incidents", {k: v for k, v in body.items() if v is not None}))
    assert not Incident.objects.exists()


def test_declare_twice_with_one_key_makes_one_incident(client: Client, people, service) -> None:
    body = {"title": "Down", "service": "pay-api", "idempotency_key": "form-123"}
    first, second = call(client, "ada", "/incidents", body), call(client, "ada", "/incidents", body)
    assert first.json()["reference"] == second.json()["reference"]
    assert Incident.objects.count() == 1


def test_a_key_someone_else_used_declares_a_new_incident(client: Client, people, service) -> None:
    hidden = make_incident(people["sam"], service, type="security_incident", idempotency_key="k1")
    response = call(client, "otto", "/incidents", {"title": "Down", "service": "pay-api", "idempotency_key": "k1"})
    assert response.status_code == 201
    assert response.json()["reference"] != hidden.reference
    assert hidden.reference not in response.content.decode()


def test_declare_needs_a_token_and_a_responder(client: Client, people, service) -> None:
    body = {"title": "Down", "service": "pay-api"}
    anonymous = client.post("/api/v1/incidents", body, "application/json")
    assert anonymous.status_code == 401
    assert anonymous["Content-Type"] == "application/problem+json"
    forged = client.post("/api/v1/incidents", body, "application/json", HTTP_AUTHORIZATION="Bearer wk_forged")
    assert forged.status_code == 401
    viewer = call(client, "vic", "/incidents", {**body, "service": "nope"})
    assert viewer.status_code == 403
    assert viewer["Content-Type"] == "application/problem+json"
    assert not Incident.objects.exists()


# Reading -------------------------------------------------------------------------------------------------------------


def test_list_filters_by_status_service_and_priority(client: Client, people, service) -> None:
    ada, other = people["ada"], make_service("notify")
    p1 = make_incident(ada, service, priority="P1")
    p3 = make_incident(ada, other, priority="P3")
    done = make_incident(ada, service, priority="P2")
    incidents.resolve(ada, done, "Fixed")

    def listed(query: str) -> list[str]:
        response = call(client, "vic", f"/incidents{query}")
        assert response.status_code == 200, response.content
        return [i["reference"] for i in response.json()["rows"]]

    assert listed("") == [done.reference, p3.reference, p1.reference]  # newest first
    assert listed("?status=open") == [p3.reference, p1.reference]
    assert listed("?status=resolved") == [done.reference]
    assert listed("?service=notify") == [p3.reference]
    assert listed("?priority=p1") == [p1.reference]
    assert listed("?status=open&service=pay-api&priority=P1") == [p1.reference]
    assert fields(call(client, "vic", "/incidents?status=fixed&service=nope&priority=P0")) == {
        "status",
        "service",
        "priority",
    }


def test_the_list_is_paged_with_a_bounded_page_size(client: Client, people, service) -> None:
    made = [make_incident(people["ada"], service).reference for _ in range(3)]
    first = call(client, "vic", "/incidents?limit=2").json()
    assert (first["count"], first["page"], first["pages"]) == (3, 1, 2)
    assert [i["reference"] for i in first["rows"]] == made[::-1][:2]
    assert [i["reference"] for i in call(client, "vic", "/incidents?limit=2&page=2").json()["rows"]] == made[:1]
    assert fields(call(client, "vic", "/incidents?limit=1000")) == {"limit"}
    assert fields(call(client, "vic", "/incidents?page=0")) == {"page"}


def test_show_by_reference_and_unknown_is_404(client: Client, people, incident) -> None:
    shown = call(client, "vic", f"/incidents/{incident.reference.lower()}")
    assert shown.status_code == 200
    assert shown.json()["title"] == "Card payments failing"
    missing = call(client, "vic", f"/incidents/{UNKNOWN}")
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/problem+json"
    assert missing.json()["detail"] == f"No incident {UNKNOWN}"


def test_me_names_the_token_holder(client: Client, people) -> None:
    assert call(client, "sam", "/me").json() == {"username": "sam", "groups": ["security"]}


# Acting --------------------------------------------------------------------------------------------------------------


def test_lead_marks_the_response_met_then_hands_over(client: Client, people, incident, clock) -> None:
    path = f"/incidents/{incident.reference}/lead"
    clock.shift(timedelta(minutes=30))
    body = call(client, "ada", path, {"username": "ada"}).json()
    assert body["incident_lead"] == "ada"
    assert body["response_met_on_time"] is True  # a P3 has two office hours
    body = call(client, "ada", path, {"username": "bob"}).json()
    assert body["incident_lead"] == "bob"
    assert "handed over from ada to bob" in body["timeline"][-1]["text"]


def test_a_p1_lead_named_after_20_minutes_is_late(client: Client, people, service, clock) -> None:
    incident = make_incident(people["ada"], service, priority="P1")
    clock.shift(timedelta(minutes=21))
    body = call(client, "ada", f"/incidents/{incident.reference}/lead", {"username": "ada"}).json()
    assert body["response_met_on_time"] is False


@pytest.mark.parametrize("username", ["nobody", "vic", None])
def test_lead_must_be_an_active_responder(client: Client, people, incident, username) -> None:
    assert fields(call(client, "ada", f"/incidents/{incident.reference}/lead", {"username": username})) == {"username"}


def test_comms_and_technical_leads_can_be_named_and_cleared(client: Client, people, incident) -> None:
    base = f"/incidents/{incident.reference}"
    assert call(client, "ada", f"{base}/comms-lead", {"username": "bob"}).json()["comms_lead"] == "bob"
    assert call(client, "ada", f"{base}/technical-lead", {"username": "ada"}).json()["technical_lead"] == "ada"
    assert call(client, "ada", f"{base}/comms-lead", {"username": None}).json()["comms_lead"] is None


def test_priority_change_recomputes_the_deadlines(client: Client, people, incident) -> None:
    body = call(client, "ada", f"/incidents/{incident.reference}/priority", ACTIONS["priority"]).json()
    assert body["priority"] == "P1"
    assert at(body["respond_by"]) == MONDAY_10AM + timedelta(minutes=20)
    assert at(body["next_update_due"]) == MONDAY_10AM + timedelta(hours=1)
    assert body["timeline"][-1]["text"] == "Priority changed from P3 to P1: All card payments failing"


@pytest.mark.parametrize(
    ("body", "field"),
    [({"priority": "P9", "reason": "x"}, "priority"), ({"priority": "P1", "reason": " "}, "reason"), ({}, "reason")],
)
def test_priority_refuses_bad_input(client: Client, people, incident, body, field) -> None:
    assert field in fields(call(client, "ada", f"/incidents/{incident.reference}/priority", body))
    assert Incident.objects.get().priority == "P3"


def test_type_change_to_a_security_incident_restricts_it(client: Client, people, incident) -> None:
    path = f"/incidents/{incident.reference}/type"
    assert fields(call(client, "ada", path, {"type": "meteor", "reason": "x"})) == {"type"}
    assert fields(call(client, "ada", path, {"type": "security_incident", "reason": ""})) == {"reason"}
    body = call(client, "ada", path, {"type": "security_incident", "reason": "Credentials leaked"}).json()
    assert (body["type"], body["restricted"]) == ("security_incident", True)


def test_status_moves_along_the_transition_table(client: Client, people, incident) -> None:
    path = f"/incidents/{incident.reference}/status"
    assert call(client, "ada", path, {"status": "monitoring", "note": "Fix deployed"}).json()["status"] == "monitoring"
    assert fields(call(client, "ada", path, {"status": "fixed"})) == {"status"}
    assert fields(call(client, "ada", path, {"status": "resolved"})) == {"note"}  # the note is the summary
    body = call(client, "ada", path, {"status": "resolved", "note": "Rolled back"}).json()
    assert (body["status"], body["summary"]) == ("resolved", "Rolled back")
    assert fields(call(client, "ada", path, {"status": "identified"})) == {"status"}


def test_update_resets_the_clock(client: Client, people, service, clock) -> None:
    # Public updates, which need the incident on the status page, are in test_public_updates_api.
    incident = make_incident(people["ada"], service, priority="P1")
    clock.shift(timedelta(minutes=30))
    response = call(client, "ada", f"/incidents/{incident.reference}/updates", {"body": "Fix found"})
    assert response.status_code == 201
    body = response.json()
    assert at(body["next_update_due"]) == MONDAY_10AM + timedelta(minutes=90)
    assert (body["timeline"][-1]["kind"], body["timeline"][-1]["public"]) == ("update", False)
    assert body["updates_late"] == 0
    assert fields(call(client, "ada", f"/incidents/{incident.reference}/updates", {"body": ""})) == {"body"}


def test_notes_actions_and_decisions(client: Client, people, incident) -> None:
    path = f"/incidents/{incident.reference}/notes"
    response = call(client, "ada", path, {"body": "Roll back", "kind": "decision"})
    assert response.status_code == 201
    entry = response.json()["timeline"][-1]
    assert entry == {"at": entry["at"], "author": "ada", "kind": "decision", "text": "Roll back", "public": False}
    assert at(entry["at"]) == MONDAY_10AM
    assert fields(call(client, "ada", path, {"body": "x", "kind": "gossip"})) == {"kind"}
    assert fields(call(client, "ada", path, {"body": " "})) == {"body"}


def test_resolve_reopen_and_close(client: Client, people, incident, clock) -> None:
    base = f"/incidents/{incident.reference}"
    assert fields(call(client, "ada", f"{base}/reopen", {"reason": "Again"})) == {"status"}
    assert fields(call(client, "ada", f"{base}/resolve", {"summary": ""})) == {"summary"}
    resolved = call(client, "ada", f"{base}/resolve", {"summary": "Rolled back"}).json()
    assert (resolved["status"], resolved["next_update_due"]) == ("resolved", None)
    assert at(resolved["resolved_at"]) == MONDAY_10AM
    assert fields(call(client, "ada", f"{base}/updates", {"body": "Still fine"})) == {"body"}

    assert fields(call(client, "ada", f"{base}/reopen", {"reason": " "})) == {"reason"}
    clock.shift(timedelta(hours=1))
    reopened = call(client, "ada", f"{base}/reopen", {"reason": "Failing again"}).json()
    assert (reopened["status"], reopened["resolved_at"]) == ("investigating", None)

    call(client, "ada", f"{base}/resolve", {"summary": "Rolled back again"})
    assert call(client, "ada", f"{base}/close", {}).status_code == 403  # admins close
    assert call(client, "root", f"{base}/close", {}).status_code == 422  # not until the review is done or waived
    waive_review(people["root"], Incident.objects.get(), "A repeat of INC-2025-0100")
    assert call(client, "root", f"{base}/close", {}).json()["status"] == "closed"


def test_join_and_leave_the_response_team(client: Client, people, incident) -> None:
    base = f"/incidents/{incident.reference}"
    assert call(client, "bob", f"{base}/join", {}).json()["responders"] == ["bob"]
    # A script may POST with no body at all where none is needed.
    bare = client.generic("POST", f"/api/v1{base}/leave", b"", HTTP_AUTHORIZATION=f"Bearer {create_token('bob')}")
    assert bare.status_code == 200
    assert bare.json()["responders"] == []


def test_checklist_step_ticked_by_hand(client: Client, people, incident) -> None:
    path = f"/incidents/{incident.reference}/checklist"
    body = call(client, "ada", path, {"step": "team_informed", "note": "Told on Slack"}).json()
    step = next(s for s in body["checklist"] if s["step"] == "team_informed")
    assert (step["done_by"], step["automatic"], at(step["done_at"])) == ("ada", False, MONDAY_10AM)
    assert fields(call(client, "ada", path, {"step": "pray"})) == {"step"}


def _prepared(incident: Incident, action: str, people: dict[str, User]) -> Incident:
    """Reopening and closing need a resolved incident (closing, a waived review too); the rest act on an open one."""
    if action in {"reopen", "close"}:
        incidents.resolve(people["ada"], incident, "Rolled back")
    if action == "close":
        waive_review(people["root"], incident, "A repeat of INC-2025-0100")
    if action == "leave":
        incidents.join(people["root"], incident)
    return Incident.objects.get(pk=incident.pk)


@pytest.mark.parametrize("action", ACTIONS)
def test_a_stale_version_is_409_and_changes_nothing(client: Client, people, incident, action) -> None:
    incident = _prepared(incident, action, people)
    entries = incident.timeline.count()
    response = call(
        client,
        "root",
        f"/incidents/{incident.reference}/{action}",
        {**ACTIONS[action], "version": incident.version - 1},
    )
    assert response.status_code == 409, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert "changed by someone else" in response.json()["detail"]
    assert Incident.objects.get().version == incident.version
    assert incident.timeline.count() == entries


@pytest.mark.parametrize("action", ACTIONS)
def test_the_current_version_is_accepted(client: Client, people, incident, action) -> None:
    incident = _prepared(incident, action, people)
    response = call(
        client, "root", f"/incidents/{incident.reference}/{action}", {**ACTIONS[action], "version": incident.version}
    )
    assert response.status_code in {200, 201}, response.content


@pytest.mark.parametrize("action", ACTIONS)
def test_a_viewer_cannot_act(client: Client, people, incident, action) -> None:
    incident = _prepared(incident, action, people)
    entries = incident.timeline.count()
    response = call(client, "vic", f"/incidents/{incident.reference}/{action}", ACTIONS[action])
    assert response.status_code == 403, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert Incident.objects.get().version == incident.version
    assert incident.timeline.count() == entries


# Restricted incidents ------------------------------------------------------------------------------------------------


@pytest.fixture
def restricted(people: dict[str, User], service: Service) -> Incident:
    incident = make_incident(
        people["sam"], service, title="Credentials leaked", type="security_incident", priority="P1"
    )
    return incidents.assign_role(people["sam"], incident, "incident_lead", people["bob"])


def _routes() -> list[tuple[str, str]]:
    """Every (method, path) the incidents router serves, read from the router so a new route cannot be missed."""
    return [
        (method, path)
        for path, view in router.path_operations.items()
        for op in view.operations
        for method in op.methods
    ]


def test_every_action_route_is_exercised_by_these_tests() -> None:
    actions = {path.rsplit("/", 1)[1] for method, path in _routes() if method == "POST" and "{reference}/" in path}
    assert actions == set(ACTIONS)


@pytest.mark.parametrize("outsider", ["otto", "vic"])
def test_an_outsider_cannot_learn_that_a_restricted_incident_exists(
    client: Client, people, restricted, outsider
) -> None:
    entries = restricted.timeline.count()
    routes = [(method, path) for method, path in _routes() if "{reference}" in path]
    assert len(routes) == len(ACTIONS) + 1  # every action, and reading it
    for method, path in routes:
        body = ACTIONS.get(path.rsplit("/", 1)[1], {}) if method == "POST" else None
        hidden = call(client, outsider, path.replace("{reference}", restricted.reference), body)
        unknown = call(client, outsider, path.replace("{reference}", UNKNOWN), body)
        assert hidden.status_code == unknown.status_code == 404, (method, path, hidden.content)
        assert hidden["Content-Type"] == unknown["Content-Type"] == "application/problem+json"
        assert hidden.content.replace(restricted.reference.encode(), UNKNOWN.encode()) == unknown.content
    for query in ["", "?status=open", "?status=investigating", "?service=pay-api", "?priority=P1"]:
        assert call(client, outsider, f"/incidents{query}").json()["rows"] == []
    assert Incident.objects.get().version == restricted.version
    assert restricted.timeline.count() == entries


@pytest.mark.parametrize("who", ["sam", "bob", "root"])
def test_a_restricted_incident_is_seen_by_its_team_security_and_admins(client: Client, people, restricted, who) -> None:
    assert call(client, who, f"/incidents/{restricted.reference}").json()["restricted"] is True
    assert [i["reference"] for i in call(client, who, "/incidents?status=open").json()["rows"]] == [
        restricted.reference
    ]


def test_outsiders_still_see_incidents_that_are_not_restricted(client: Client, people, restricted, incident) -> None:
    assert [i["reference"] for i in call(client, "otto", "/incidents").json()["rows"]] == [incident.reference]
    assert [i["reference"] for i in call(client, "vic", "/incidents").json()["rows"]] == [incident.reference]

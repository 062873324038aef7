"""Flags: the ICO clock shown wherever a breach incident is shown, to those on the incident and nobody else."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import make_incident, make_service, make_user
from watchkeeper.accounts.services import create_token
from watchkeeper.breaches import services as breaches
from watchkeeper.catalogue.models import Service
from watchkeeper.cli import client as cli_client
from watchkeeper.incidents import panels
from watchkeeper.incidents.models import Incident

pytestmark = pytest.mark.django_db

AWARE = datetime(2026, 3, 27, 10, 0, tzinfo=UTC)  # GMT; the deadline falls after the clocks go forward
NOW = datetime(2026, 3, 30, 5, 0, tzinfo=UTC)
FLAG = "ICO deadline Mon 30 Mar 2026, 11:00 BST (due in 5 hours)"


@pytest.fixture
def people() -> dict[str, User]:
    return {
        "ada": make_user("ada", "responder"),
        "otto": make_user("otto", "responder"),
        "vic": make_user("vic", "viewer"),
        "sam": make_user("sam", "security"),
        "root": make_user("root", "admin"),
        "dora": make_user("dora", "data_protection"),
    }


@pytest.fixture
def service() -> Service:
    return make_service("pay-api", timezone="Europe/London")


@pytest.fixture
def breach(people: dict[str, User], service: Service) -> Incident:
    with time_machine.travel(AWARE, tick=False):
        return make_incident(
            people["ada"], service, title="Customer records emailed", type="personal_data_breach", take_lead=True
        )


@pytest.fixture
def personal_data(people: dict[str, User], service: Service) -> Incident:
    """Declared as a technical failure, then marked as involving personal data, which restricts it."""
    with time_machine.travel(AWARE, tick=False):
        incident = make_incident(people["ada"], service, title="Export sent to wrong team", take_lead=True)
        assert not incident.restricted
        breaches.open_breach(people["ada"], incident)
    incident.refresh_from_db()
    assert incident.restricted
    return incident


@pytest.fixture(autouse=True)
def now() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def dashboard(client: Client, user: User) -> str:
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def page(client: Client, user: User, incident: Incident) -> tuple[int, str]:
    client.force_login(user)
    response = client.get(f"/incidents/{incident.reference}/")
    return response.status_code, response.content.decode()


def api(client: Client, user: User, path: str) -> Any:
    response = client.get(f"/api/v1{path}", HTTP_AUTHORIZATION=f"Bearer {create_token(user.get_username())}")
    body = response.json()
    # The list answers a page of rows; one incident answers itself.
    return response.status_code, body["rows"] if path == "/incidents" and response.status_code == 200 else body


def listed(client: Client, user: User, incident: Incident) -> dict[str, Any]:
    status, found = api(client, user, "/incidents")
    assert status == 200
    return next(i for i in found if i["reference"] == incident.reference)


def test_the_breach_team_sees_the_ico_deadline_everywhere(client, people, breach) -> None:
    ada = people["ada"]
    assert FLAG in dashboard(client, ada)
    status, html = page(client, ada, breach)
    assert status == 200
    assert FLAG in html
    assert "Flags" in html
    status, shown = api(client, ada, f"/incidents/{breach.reference}")
    assert status == 200
    assert shown["flags"] == [FLAG]
    assert listed(client, ada, breach)["flags"] == [FLAG]
    # The CLI's `show` prints what the API answered.
    printed = cli_client.incident_page(shown, NOW).splitlines()
    assert any(line.startswith("Flag ") and line.endswith(FLAG) for line in printed)


@pytest.mark.parametrize("who", ["root", "sam"])
def test_admins_and_security_see_it(client, people, breach, who) -> None:
    user = people[who]
    assert FLAG in dashboard(client, user)
    assert FLAG in page(client, user, breach)[1]
    assert api(client, user, f"/incidents/{breach.reference}")[1]["flags"] == [FLAG]


@pytest.mark.parametrize("who", ["otto", "vic", "dora"])
def test_outsiders_never_see_a_restricted_breach_or_its_flag(client, people, breach, who) -> None:
    user = people[who]
    html = dashboard(client, user)
    # As a word: the page's random CSRF token and nonces may hold the letters "ICO" (CI once met one).
    assert not re.search(r"\bICO\b", html)
    assert breach.reference not in html
    assert page(client, user, breach)[0] == 404
    assert api(client, user, f"/incidents/{breach.reference}")[0] == 404
    status, found = api(client, user, "/incidents")
    assert status == 200
    assert all("ICO" not in flag for incident in found for flag in incident["flags"])


@pytest.mark.parametrize("who", ["otto", "vic"])
def test_marking_personal_data_takes_the_incident_out_of_outsiders_sight(client, people, personal_data, who) -> None:
    # Before the breach record it was visible to all; now its page, timeline, API answer and list entry are gone.
    user = people[who]
    html = dashboard(client, user)
    assert personal_data.reference not in html
    assert "ICO" not in html
    assert page(client, user, personal_data)[0] == 404
    assert api(client, user, f"/incidents/{personal_data.reference}")[0] == 404
    status, found = api(client, user, "/incidents")
    assert status == 200
    assert personal_data.reference not in {incident["reference"] for incident in found}


def test_the_team_and_admins_see_the_flag_on_a_personal_data_incident(client, people, personal_data) -> None:
    for who in ("ada", "root"):
        assert FLAG in dashboard(client, people[who])
        assert api(client, people[who], f"/incidents/{personal_data.reference}")[1]["flags"] == [FLAG]


def test_the_flag_says_overdue_and_then_what_was_decided(client, people, breach, now) -> None:
    ada = people["ada"]
    now.move_to(NOW + timedelta(hours=7))
    assert panels.flags_for(ada, [breach])[breach.pk] == [
        "ICO deadline Mon 30 Mar 2026, 11:00 BST (overdue by 2 hours)"
    ]
    breaches.record_reported(ada, breach, NOW, "ICO-123")
    assert panels.flags_for(ada, [breach])[breach.pk] == ["Reported to the ICO on time"]
    assert "Reported to the ICO on time" in dashboard(client, ada)


def test_a_decision_not_to_report_is_flagged_in_words(people, personal_data) -> None:
    breaches.decide_ico(people["ada"], personal_data, False, "Sent to a colleague inside the department and deleted")
    assert panels.flags_for(people["ada"], [personal_data])[personal_data.pk] == ["ICO: decided not to report"]
    assert panels.flags_for(people["vic"], [personal_data])[personal_data.pk] == []


def test_incidents_without_a_breach_have_no_flags(people, service) -> None:
    incident = make_incident(people["ada"], service)
    assert panels.flags_for(people["root"], [incident]) == {incident.pk: []}
    assert panels.flags_for(people["root"], []) == {}


def _dashboard_queries(client: Client, user: User) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    return len(queries)


def _declare_breaches(lead: User, service: Service, count: int) -> None:
    with time_machine.travel(AWARE, tick=False):
        for n in range(count):
            make_incident(lead, service, title=f"Breach {n}", type="personal_data_breach", take_lead=True)


@pytest.mark.parametrize("who", ["ada", "root"])
def test_the_dashboard_costs_the_same_queries_for_5_or_20_flagged_incidents(
    client, people, service, who, django_assert_max_num_queries
) -> None:
    _declare_breaches(people["ada"], service, 5)
    five = _dashboard_queries(client, people[who])
    assert dashboard(client, people[who]).count(FLAG) == 5
    _declare_breaches(people["ada"], service, 15)
    twenty = _dashboard_queries(client, people[who])
    assert dashboard(client, people[who]).count(FLAG) == 20
    assert twenty == five
    with django_assert_max_num_queries(five):
        client.get("/")


def test_the_api_list_reads_every_flag_in_one_breach_query_for_5_or_20_incidents(client, people, service) -> None:
    # The list already reads each incident's checklist on its own; the flags must not add to that.
    ada = people["ada"]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {create_token('ada')}"}

    def breach_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/v1/incidents", **headers)
        assert response.status_code == 200
        assert all(incident["flags"] == [FLAG] for incident in response.json()["rows"])
        return sum('"breaches_breach"' in query["sql"] for query in queries.captured_queries)

    _declare_breaches(ada, service, 5)
    assert breach_queries() == 1
    _declare_breaches(ada, service, 15)
    assert breach_queries() == 1

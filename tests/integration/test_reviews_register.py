"""The central register: columns, filters, sorting, paging and CSV, never showing what the caller may not see."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from tests.factories import make_incident, make_service, make_team, make_user
from watchkeeper.incidents import services as incidents
from watchkeeper.reviews import queries, register, services
from watchkeeper.reviews.queries import RegisterFilters

pytestmark = pytest.mark.django_db

MONDAY_10AM = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


@pytest.fixture
def world() -> dict[str, object]:
    """Three incidents on two teams' services, one restricted, one resolved and reviewed late in its response."""
    lead = make_user("lead")
    sec = make_user("sec", "security")
    pay = make_service("pay", team=make_team("payments"), name="Pay")
    notify = make_service("notify", team=make_team("messaging"), name="Notify")
    with time_machine.travel(MONDAY_10AM, tick=False):
        quick = make_incident(lead, pay, title="Card payments failing", priority="P1", take_lead=True)
    with time_machine.travel(MONDAY_10AM + timedelta(hours=1), tick=False):
        slow = make_incident(lead, notify, title="Texts delayed", priority="P2")
    with time_machine.travel(MONDAY_10AM + timedelta(hours=2), tick=False):
        incidents.assign_role(lead, slow, "incident_lead", lead)  # exactly the hour a P2 allows
        secret = make_incident(sec, pay, title="Suspicious logins", type="security_incident", take_lead=True)
    with time_machine.travel(MONDAY_10AM + timedelta(minutes=50), tick=False):
        incidents.resolve(lead, quick, "Rolled back")
    with time_machine.travel(MONDAY_10AM + timedelta(days=1), tick=False):
        services.record_review(
            lead,
            quick,
            held_at=MONDAY_10AM + timedelta(hours=20),
            attendance="lead",
            root_cause="Bad deploy",
            root_cause_category="code_change",
        )
    return {"lead": lead, "sec": sec, "quick": quick, "slow": slow, "secret": secret}


def refs(found: object) -> list[str]:
    return [incident.reference for incident in found]  # type: ignore[attr-defined]


@time_machine.travel(MONDAY_10AM + timedelta(days=1), tick=False)
def test_one_row_per_visible_incident_restricted_only_for_those_allowed(world) -> None:
    lead, sec = world["lead"], world["sec"]
    assert set(refs(queries.register(lead))) == {world["quick"].reference, world["slow"].reference}
    assert world["secret"].reference in refs(queries.register(sec))
    assert refs(queries.register(make_user("nobody", "viewer"))) == refs(queries.register(lead))


@time_machine.travel(MONDAY_10AM + timedelta(days=1), tick=False)
def test_row_has_every_register_column(world) -> None:
    values = register.values(register.row(queries.register(world["lead"]).get(pk=world["quick"].pk)))
    assert list(values) == [key for key, _ in register.COLUMNS]
    assert values["service"] == "Pay"
    assert values["started"] == "2026-11-30T10:00+00:00"
    assert values["resolved"] == "2026-11-30T10:50+00:00"
    assert values["total_duration"] == "50 minutes"
    assert values["time_to_fix"] == "50 minutes"
    assert values["response_met"] == "Yes"
    assert values["root_cause"] == "Unexpected effect of code change"
    assert values["review_date"] == "2026-12-01"
    assert values["report"].endswith(f"/reviews/{world['quick'].reference}/report")


@time_machine.travel(MONDAY_10AM + timedelta(days=1), tick=False)
@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (RegisterFilters(service="pay"), ["quick"]),
        (RegisterFilters(team="messaging"), ["slow"]),
        (RegisterFilters(priority="p2"), ["slow"]),
        (RegisterFilters(status="resolved"), ["quick"]),
        (RegisterFilters(root_cause="code_change"), ["quick"]),
        (RegisterFilters(response_met="yes"), ["quick", "slow"]),
        (RegisterFilters(updates_on_time="yes"), ["quick"]),
        (RegisterFilters(updates_on_time="no"), ["slow"]),
        (RegisterFilters(declared_from=date(2026, 12, 1)), []),
        (RegisterFilters(declared_from=date(2026, 11, 30), declared_to=date(2026, 11, 30)), ["quick", "slow"]),
    ],
)
def test_filters(world, filters: RegisterFilters, expected: list[str]) -> None:
    found = queries.register(world["lead"], filters, sort="declared")
    assert refs(found) == [world[name].reference for name in expected]


def test_updates_on_time_counts_a_first_update_that_never_came() -> None:
    lead = make_user("ada")
    with time_machine.travel(MONDAY_10AM, tick=False):
        incident = make_incident(lead, priority="P1", take_lead=True)
    with time_machine.travel(MONDAY_10AM + timedelta(minutes=90), tick=False):
        incidents.resolve(lead, incident, "Fixed, but nobody told anyone")
        assert queries.register(lead).get().is_updates_on_time is False
        assert register.row(queries.register(lead).get()).updates_on_time == "No"


@time_machine.travel(MONDAY_10AM + timedelta(days=1), tick=False)
def test_sorting(world) -> None:
    lead = world["lead"]
    assert refs(queries.register(lead, sort="priority")) == [world["quick"].reference, world["slow"].reference]
    assert refs(queries.register(lead, sort="-priority")) == [world["slow"].reference, world["quick"].reference]
    assert refs(queries.register(lead, sort="-total_duration"))[0] == world["quick"].reference
    assert refs(queries.register(lead, sort="nonsense")) == refs(queries.register(lead, sort="-declared"))


@time_machine.travel(MONDAY_10AM + timedelta(days=1), tick=False)
def test_register_page_filters_sorts_and_pages(client, world, settings) -> None:
    client.force_login(world["lead"])
    page = client.get("/reviews/register")
    body = page.content.decode()
    assert page.status_code == 200
    assert world["quick"].reference in body and world["slow"].reference in body
    assert world["secret"].reference not in body
    filtered = client.get("/reviews/register", {"service": "notify", "sort": "priority"}).content.decode()
    assert world["slow"].reference in filtered and world["quick"].reference not in filtered
    bad = client.get("/reviews/register", {"declared_from": "yesterday"}).content.decode()
    assert "Enter a date as YYYY-MM-DD" in bad
    assert world["quick"].reference in bad  # a bad filter is reported, not a blank register
    register.PAGE_SIZE, saved = 1, register.PAGE_SIZE
    try:
        second = client.get("/reviews/register", {"sort": "declared", "page": 2}).content.decode()
    finally:
        register.PAGE_SIZE = saved
    assert world["slow"].reference in second and world["quick"].reference not in second
    assert "govuk-pagination" in second


@time_machine.travel(MONDAY_10AM + timedelta(days=1), tick=False)
def test_csv_export_has_the_columns_and_leaves_out_what_the_caller_may_not_see(client, world) -> None:
    client.force_login(world["lead"])
    response = client.get("/reviews/register.csv", {"sort": "declared"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == [heading for _, heading in register.COLUMNS]
    assert [row[0] for row in rows[1:]] == [world["quick"].reference, world["slow"].reference]
    client.force_login(world["sec"])
    everything = b"".join(client.get("/reviews/register.csv").streaming_content).decode()
    assert world["secret"].reference in everything


@time_machine.travel(MONDAY_10AM + timedelta(days=1), tick=False)
def test_actions_csv_and_overdue_page_hide_restricted_incidents(client, world) -> None:
    sec, lead = world["sec"], world["lead"]
    services.add_action(sec, world["secret"], title="Rotate keys", owner=sec, due_in_business_days=1)
    services.add_action(lead, world["quick"], title="=HYPERLINK(evil)", owner=lead, due_in_business_days=1)
    with time_machine.travel(MONDAY_10AM + timedelta(days=7), tick=False):
        client.force_login(lead)
        text = b"".join(client.get("/reviews/actions.csv").streaming_content).decode()
        overdue = client.get("/reviews/actions/overdue").content.decode()
        client.force_login(sec)
        overdue_for_sec = client.get("/reviews/actions/overdue").content.decode()
    assert "Rotate keys" not in text and "Rotate keys" not in overdue
    assert "'=HYPERLINK(evil)" in text  # never a live formula in a spreadsheet
    assert "HYPERLINK" in overdue
    assert "Rotate keys" in overdue_for_sec

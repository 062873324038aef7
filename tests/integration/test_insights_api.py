"""The insights API against the GDS table, its bad input, and every figure reproduced from the export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import openpyxl
import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client

from tests.factories import make_incident, make_service, make_team, make_user
from watchkeeper.accounts.services import create_token
from watchkeeper.catalogue.models import Service
from watchkeeper.domain import statistics
from watchkeeper.incidents import services as incidents
from watchkeeper.incidents.models import Incident
from watchkeeper.incidents.services import milestones
from watchkeeper.reviews import services as reviews

pytestmark = pytest.mark.django_db
DURATIONS = ("time_to_acknowledge_s", "time_to_respond_s", "time_to_mitigate_s", "time_to_resolve_s")


def _client(user: User) -> Client:
    return Client(headers={"Authorization": f"Bearer {create_token(user.username)}"})


def _at(moment: datetime) -> time_machine.travel:
    return time_machine.travel(moment, tick=False)


def _run(
    lead: User,
    service: Service,
    priority: str,
    reported: datetime,
    responded: datetime,
    *,
    updates: tuple[datetime, ...] = (),
    resolved: datetime | None = None,
) -> Incident:
    with _at(reported):
        incident = make_incident(lead, service, priority=priority, reported_at=reported)
    with _at(responded):
        incidents.assign_role(lead, incident, "incident_lead", lead)
    for moment in updates:
        with _at(moment):
            incidents.post_update(lead, incident, "Still working on it")
    if resolved:
        with _at(resolved):
            incidents.resolve(lead, incident, "Fixed")
    incident.refresh_from_db()
    return incident


def _summary(client: Client, **query: str) -> dict[str, Any]:
    response = client.get("/api/v1/insights", query)
    assert response.status_code == 200, response.content
    return response.json()


def test_p3_on_friday_afternoon_before_a_bank_holiday_weekend() -> None:
    lead = make_user("ada")
    service = make_service("pay")
    # Friday 28 August 2026, 16:30 BST; Monday 31 August is the summer bank holiday in England and Wales.
    friday = datetime(2026, 8, 28, 15, 30, tzinfo=UTC)
    tuesday_10 = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)  # 10:00 BST: 1 office hour on Friday, 30 minutes today
    _run(lead, service, "P3", friday, tuesday_10)
    _run(lead, service, "P3", friday, tuesday_10 + timedelta(minutes=31))  # 10:31 BST: 2 h 1 min, outside
    with _at(tuesday_10 + timedelta(hours=2)):
        figures = _summary(_client(lead), **{"from": "2026-08-01", "to": "2026-09-30"})
    p3 = figures["by_priority"]["P3"]
    assert p3["count"] == 2
    assert p3["response_met"] == {"met": 1, "of": 2, "pct": 50.0}
    assert p3["time_to_respond_s"]["median"] == (tuesday_10 - friday).total_seconds() + 31 * 60 / 2


def test_p1_across_the_october_clock_change() -> None:
    lead = make_user("ada")
    service = make_service("pay")
    # Sunday 25 October 2026: 02:00 BST becomes 01:00 GMT at 01:00 UTC.
    reported = datetime(2026, 10, 25, 0, 50, tzinfo=UTC)  # 01:50 BST
    _run(lead, service, "P1", reported, reported + timedelta(minutes=15))  # 01:05 GMT: looks earlier, is 15 minutes
    late = datetime(2026, 10, 25, 0, 45, tzinfo=UTC)  # 01:45 BST
    _run(lead, service, "P1", late, datetime(2026, 10, 25, 2, 5, tzinfo=UTC))  # 02:05 GMT: "20 minutes" on the wall
    with _at(datetime(2026, 10, 26, 12, 0, tzinfo=UTC)):
        p1 = _summary(_client(lead), **{"from": "2026-10-25", "to": "2026-10-25"})["by_priority"]["P1"]
    assert p1["response_met"] == {"met": 1, "of": 2, "pct": 50.0}
    assert p1["time_to_respond_s"] == {"median": (15 + 80) * 60 / 2, "p90": 80 * 60.0}


def test_a_p2_updated_five_minutes_late_counts_once_as_late() -> None:
    lead = make_user("ada")
    start = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    _run(
        lead,
        make_service("pay"),
        "P2",
        start,
        start + timedelta(minutes=10),
        updates=(start + timedelta(hours=2, minutes=5),),
        resolved=start + timedelta(hours=3),
    )
    with _at(start + timedelta(days=1)):
        overall = _summary(_client(lead), **{"from": "2026-06-01", "to": "2026-06-30"})["overall"]
    assert overall["updates_on_time"] == {"met": 0, "of": 1, "pct": 0.0}
    assert overall["longest_overdue_gap_s"] == 300.0


def test_bad_input_is_422_naming_the_field() -> None:
    lead = make_user("ada")
    make_service("pay")
    client = _client(lead)
    cases = {
        "from": {"from": "2026-06-02", "to": "2026-06-01"},
        "to": {"from": "2020-01-01", "to": "2026-01-01"},
        "priority": {"priority": "P9"},
        "service": {"service": "nope"},
        "team": {"team": "nope"},
    }
    for field, query in cases.items():
        for path in ("/api/v1/insights", "/api/v1/insights/incidents"):
            response = client.get(path, query)
            assert response.status_code == 422, (path, query)
            assert [e["field"] for e in response.json()["errors"]] == [field]
    assert client.get("/api/v1/insights/incidents", {"format": "pdf"}).json()["errors"][0]["field"] == "format"
    assert Client().get("/api/v1/insights").status_code == 401


def test_exercises_and_restricted_incidents_are_left_out() -> None:
    lead = make_user("ada")
    service = make_service("pay")
    with _at(datetime(2026, 6, 1, 9, 0, tzinfo=UTC)):
        drill = make_incident(lead, service, priority="P1")
        milestones.correct_milestones(lead, drill, {}, "Game day", exercise=True)
        make_incident(lead, service, priority="P1", type="security_incident")
        make_incident(lead, service, priority="P2")
    outsider = make_user("bob")
    with _at(datetime(2026, 6, 2, 9, 0, tzinfo=UTC)):
        query = {"from": "2026-06-01", "to": "2026-06-01"}
        assert _summary(_client(outsider), **query)["overall"]["count"] == 1
        assert _summary(_client(lead), **query)["overall"]["count"] == 2
        assert _summary(_client(lead), exercises="include", **query)["overall"]["count"] == 3


def _recompute(rows: list[dict[str, str]]) -> dict[str, Any]:
    """The figures, folded straight from the CSV rows with the documented definitions."""

    def share(column: str) -> dict[str, Any]:
        return statistics.share_of({"yes": True, "no": False, "": None}[r[column]] for r in rows).as_dict()

    def spread(column: str) -> dict[str, Any]:
        values = [float(r[column]) for r in rows if r[column]]
        return {"median": statistics.median(values), "p90": statistics.p90(values)}

    met, of = sum(int(r["updates_on_time"]) for r in rows), sum(int(r["updates_required"]) for r in rows)
    gaps = [float(r["longest_overdue_gap_s"]) for r in rows if r["longest_overdue_gap_s"]]
    overdue, actions = sum(int(r["actions_overdue"]) for r in rows), sum(int(r["actions"]) for r in rows)
    return {
        "count": len(rows),
        "response_met": share("response_met"),
        "updates_on_time": {"met": met, "of": of, "pct": statistics.pct(met, of)},
        **{column: spread(column) for column in DURATIONS},
        "longest_overdue_gap_s": max(gaps, default=None),
        "reminders_sent": sum(int(r["reminders_sent"]) for r in rows),
        "escalations_sent": sum(int(r["escalations_sent"]) for r in rows),
        "reviews_within_target": share("review_within_target"),
        "actions_overdue": {"met": overdue, "of": actions, "pct": statistics.pct(overdue, actions)},
        "breaches_notified_within_72h": share("ico_within_72h"),
    }


def make_history(lead: User) -> None:
    """A month of varied incidents on two teams' services: on time, late, unresolved, reopened."""
    pay, notify = make_service("pay", team=make_team("payments")), make_service("notify", team=make_team("comms"))
    start = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    for n in range(12):
        begin = start + timedelta(days=2 * n, hours=n % 5)
        priority = ("P1", "P2", "P3", "P4")[n % 4]
        _run(
            lead,
            pay if n % 3 else notify,
            priority,
            begin,
            begin + timedelta(minutes=7 * n + 3),
            updates=tuple(begin + timedelta(minutes=50 + 37 * k + n) for k in range(n % 3)),
            resolved=begin + timedelta(hours=n + 1) if n % 5 else None,
        )
    # Reviews and follow-up actions: one review held in time, actions overdue and not.
    first, second = Incident.objects.filter(status="resolved").order_by("declared_at")[:2]
    with _at(first.resolved_at + timedelta(days=1)):
        reviews.record_review(
            lead,
            first,
            held_at=first.resolved_at + timedelta(days=1),
            attendance="ada",
            root_cause="A full disk",
            root_cause_category="capacity",
        )
        reviews.add_action(lead, first, title="Alert on disk space", owner=lead, due_in_business_days=1)
        reviews.add_action(lead, second, title="Bigger disks", owner=lead, due_in_business_days=60)


def test_every_figure_is_reproduced_from_the_export() -> None:
    lead = make_user("ada", "admin")
    make_history(lead)
    client = _client(lead)
    query = {"from": "2026-06-01", "to": "2026-07-31"}
    with _at(datetime(2026, 7, 15, 12, 0, tzinfo=UTC)):
        figures = _summary(client, **query)
        body = b"".join(client.get("/api/v1/insights/incidents", {**query, "format": "csv"}).streaming_content)
        workbook = client.get("/api/v1/insights/incidents", {**query, "format": "xlsx"})
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    assert len(rows) == figures["overall"]["count"] == 12
    assert figures["overall"] == _recompute(rows)
    assert (
        figures["overall"]["reviews_within_target"]["met"] == 1
        and figures["overall"]["reviews_within_target"]["of"] > 1
    )
    assert figures["overall"]["actions_overdue"] == {"met": 1, "of": 2, "pct": 50.0}
    for level, measured in figures["by_priority"].items():
        assert measured == _recompute([r for r in rows if r["priority"] == level]), level
    for slug, measured in figures["by_service"].items():
        assert measured == _recompute([r for r in rows if r["service"] == slug]), slug
    for slug, measured in figures["by_team"].items():
        assert measured == _recompute([r for r in rows if r["team"] == slug]), slug
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(workbook.streaming_content))).active
    sheet_rows = [[cell or "" for cell in r] for r in sheet.iter_rows(values_only=True)]
    assert sheet_rows[1:] == [list(r.values()) for r in rows]

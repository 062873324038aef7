"""On-call load in the insights API: pages per person, out of hours, at night and on bank holidays, exactly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.factories import make_incident, make_service, make_user
from watchkeeper.accounts.services import create_token
from watchkeeper.catalogue.models import Service
from watchkeeper.incidents.models import Incident
from watchkeeper.oncall.models import Page, PageNotification

pytestmark = pytest.mark.django_db


def _page(incident: Incident | None, at: datetime) -> Page:
    return Page.objects.create(summary="Disk full", incident=incident, triggered_at=at, ack_code="1234")


def _notify(page: Page, user: User, at: datetime, status: str = "sent", kind: str = "notify_sms") -> None:
    PageNotification.objects.create(
        key=f"{page.pk}-{user.pk}-{at.isoformat()}-{kind}",
        page=page,
        user=user,
        kind=kind,
        recipient=user.username,
        payload={},
        status=status,
        created_at=at,
        due_at=at,
        sent_at=at if status == "sent" else None,
    )


def _incident(lead: User, service: Service, at: datetime, **fields: Any) -> Incident:
    incident = make_incident(lead, service, priority="P1")
    Incident.objects.filter(pk=incident.pk).update(declared_at=at, **fields)
    return incident


def test_pages_are_counted_per_person_on_the_services_office_clock() -> None:
    ada, bob = make_user("ada"), make_user("bob")
    service = make_service("pay")
    weekday = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)  # Wednesday, office open
    late = datetime(2026, 12, 2, 23, 30, tzinfo=UTC)  # Wednesday night
    saturday = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
    christmas = datetime(2026, 12, 25, 10, 0, tzinfo=UTC)  # a Friday, and a bank holiday in England
    day = _page(_incident(ada, service, weekday), weekday)
    _notify(day, ada, weekday)
    _notify(day, ada, weekday + timedelta(minutes=5), kind="notify_email")  # the same page again: counted once
    _notify(day, bob, weekday + timedelta(minutes=10))
    night = _page(_incident(ada, service, late), late)
    _notify(night, ada, late)
    _notify(night, bob, late + timedelta(minutes=5), status="cancelled")  # acknowledged first: never reached bob
    weekend = _page(None, saturday)  # a page raised by hand, judged on the default office calendar
    _notify(weekend, bob, saturday)
    holiday = _page(_incident(ada, service, christmas), christmas)
    _notify(holiday, ada, christmas)
    drill = _page(_incident(ada, service, late, exercise=True), late)
    _notify(drill, bob, late)
    outside = datetime(2027, 1, 5, 2, 0, tzinfo=UTC)
    _notify(_page(None, outside), ada, outside)

    client = Client(headers={"Authorization": f"Bearer {create_token(ada.username)}"})
    response = client.get("/api/v1/insights", {"from": "2026-12-01", "to": "2026-12-31"})

    assert response.status_code == 200
    body = response.json()
    assert {"from", "to", "overall", "by_priority", "by_service", "by_team", "oncall"} <= body.keys()
    assert body["oncall"] == {
        "overall": {
            "pages": 4,
            "out_of_hours_pages": 3,
            "night_pages": 1,
            "bank_holiday_pages": 1,
            "people_paged": 2,
            "person_pages": 5,
        },
        "by_person": {
            "ada": {"pages": 3, "out_of_hours_pages": 2, "night_pages": 1, "bank_holiday_pages": 1},
            "bob": {"pages": 2, "out_of_hours_pages": 1, "night_pages": 0, "bank_holiday_pages": 0},
        },
    }
    with_drills = client.get("/api/v1/insights", {"from": "2026-12-01", "to": "2026-12-31", "exercises": "include"})
    assert with_drills.json()["oncall"]["by_person"]["bob"]["night_pages"] == 1
    by_service = client.get("/api/v1/insights", {"from": "2026-12-01", "to": "2026-12-31", "service": "pay"})
    assert by_service.json()["oncall"]["overall"]["pages"] == 3  # the page without an incident has no service


def test_the_insights_page_shows_the_load_as_a_table() -> None:
    ada = make_user("ada")
    at = datetime(2026, 12, 2, 23, 30, tzinfo=UTC)
    _notify(_page(None, at), ada, at)
    client = Client()
    client.force_login(ada)

    body = client.get("/insights/", {"from": "2026-12-01", "to": "2026-12-31"}).content.decode()

    assert "Pages per person" in body
    assert (
        "Pages: 1 (people paged: 1); out of office hours: 1; between 23:00 and 07:00: 1; on bank holidays: 0."
    ) in body

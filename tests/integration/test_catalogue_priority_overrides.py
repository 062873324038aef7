"""A service's own response times and update intervals, set by an admin on the catalogue's page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client

from tests.factories import PASSWORD, make_incident, make_service, make_user
from watchkeeper.catalogue import services
from watchkeeper.catalogue.models import PriorityOverride, Service

pytestmark = pytest.mark.django_db

# Monday 30 November 2026, 10:00 GMT: inside office hours in England and Wales.
MONDAY_10AM = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
BLANK = {f"{p}_{name}": "" for p in ("P1", "P2", "P3", "P4") for name in ("respond_amount", "respond_kind")} | {
    f"{p}_{name}": "" for p in ("P1", "P2", "P3", "P4") for name in ("update_amount", "update_kind")
}


def stored(service: Service) -> list[tuple[str, str, int | None, str, int | None]]:
    return list(
        PriorityOverride.objects.filter(service=service).values_list(
            "priority", "respond_kind", "respond_amount", "update_kind", "update_amount"
        )
    )


def signed_in(username: str, *groups: str) -> Client:
    make_user(username, *groups)
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


@time_machine.travel(MONDAY_10AM, tick=False)
def test_an_admin_saves_overrides_and_new_incidents_keep_them() -> None:
    admin = signed_in("root", "admin")
    service = make_service("pay", name="Pay")
    other = make_service("apply")

    page = admin.get(f"/catalogue/services/{service.slug}/")
    assert f"/catalogue/services/{service.slug}/priorities" in page.content.decode()

    response = admin.post(
        f"/catalogue/services/{service.slug}/priorities",
        BLANK
        | {
            "P2_respond_amount": "30",
            "P2_respond_kind": "elapsed",
            "P2_update_amount": "45",
            "P2_update_kind": "elapsed",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/catalogue/services/{service.slug}/"
    assert stored(service) == [("P2", "elapsed", 30, "elapsed", 45)]

    lead = make_user("lead")
    incident = make_incident(lead, service, priority="P2")
    assert incident.respond_by == MONDAY_10AM + timedelta(minutes=30)
    assert incident.next_update_due == MONDAY_10AM + timedelta(minutes=45)
    # Another service keeps the GDS default: respond to a P2 within an hour.
    assert make_incident(lead, other, priority="P2").respond_by == MONDAY_10AM + timedelta(minutes=60)

    # The page shows what is stored, and blanking a priority gives its GDS default back.
    form = admin.get(f"/catalogue/services/{service.slug}/priorities").content.decode()
    assert re.search(r'<input[^>]*name="P2_respond_amount"[^>]*value="30"', form)
    assert admin.post(f"/catalogue/services/{service.slug}/priorities", BLANK).status_code == 302
    assert stored(service) == []


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"P3_respond_amount": "30"}, "Select the clock for the P3 response time"),
        ({"P3_update_kind": "business_days"}, "Enter the P3 update interval"),
        ({"P4_respond_amount": "soon", "P4_respond_kind": "elapsed"}, "Enter the P4 response time as a whole number"),
        ({"P1_update_amount": "0", "P1_update_kind": "elapsed"}, "The P1 update interval must be at least 1"),
        # The domain's own rule, refused by the service after P1 below was already written: nothing stays.
        ({"P2_update_amount": "60", "P2_update_kind": "office_hours"}, "P2 updates repeat"),
    ],
)
def test_bad_answers_show_an_error_summary_and_save_nothing(answers: dict[str, str], message: str) -> None:
    admin = signed_in("root", "admin")
    service = make_service("pay")
    services.set_priority_override(service, "P4", respond_kind="business_days", respond_amount=2)
    before = stored(service)

    response = admin.post(
        f"/catalogue/services/{service.slug}/priorities",
        BLANK | {"P1_respond_amount": "10", "P1_respond_kind": "elapsed"} | answers,
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert message in page
    assert stored(service) == before


def test_only_admins_may_change_priorities() -> None:
    viewer = signed_in("vic", "viewer")
    responder = signed_in("rita", "responder")
    service = make_service("pay")
    url = f"/catalogue/services/{service.slug}/priorities"
    for client in (viewer, responder):
        assert client.get(url).status_code == 403
        assert client.post(url, BLANK | {"P1_respond_amount": "5", "P1_respond_kind": "elapsed"}).status_code == 403
        assert url not in client.get(f"/catalogue/services/{service.slug}/").content.decode()
    assert stored(service) == []


def test_the_service_refuses_an_update_interval_that_would_stop_overnight() -> None:
    service = make_service("pay")
    with pytest.raises(ValidationError) as refused:
        services.set_priority_override(service, "P1", update_kind="office_hours", update_amount=60)
    assert "update_kind" in refused.value.message_dict
    # P3 and P4 owe one update, so office time is theirs to choose.
    services.set_priority_override(service, "P3", update_kind="office_hours", update_amount=240)
    assert stored(service) == [("P3", "", None, "office_hours", 240)]


@time_machine.travel(MONDAY_10AM, tick=False)
def test_an_admin_adds_a_closure_date_and_office_clocks_skip_it() -> None:
    """Closure dates were set only in the Django admin, which is now read-only: they have a page of their own."""
    admin = signed_in("root", "admin")
    service = make_service("pay", name="Pay")
    url = f"/catalogue/services/{service.slug}/closures/new"
    assert url in admin.get(f"/catalogue/services/{service.slug}/").content.decode()

    bad = admin.post(url, {"date": "31 February", "reason": ""})
    assert bad.status_code == 200
    assert "govuk-error-summary" in bad.content.decode()
    assert not service.closures.exists()

    assert admin.post(url, {"date": "2026-12-01", "reason": "Away day"}).status_code == 302
    assert list(service.closures.values_list("date", "reason")) == [(datetime(2026, 12, 1).date(), "Away day")]
    # P3 responds within 2 office hours. From Monday 16:30 that is 60 minutes on Monday and 60 on the next working
    # day, which the closure moves from Tuesday 1 to Wednesday 2 December.
    with time_machine.travel(datetime(2026, 11, 30, 16, 30, tzinfo=UTC), tick=False):
        incident = make_incident(make_user("lead"), service, priority="P3")
    assert incident.respond_by == datetime(2026, 12, 2, 10, 30, tzinfo=UTC)

    assert signed_in("vic", "viewer").post(url, {"date": "2026-12-02"}).status_code == 403
    assert service.closures.count() == 1

"""The catalogue on the real database: services own their calendars and policies; bad input changes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError

from tests.factories import PASSWORD, make_component, make_service, make_team, make_user
from watchkeeper.catalogue import queries, services
from watchkeeper.catalogue.models import ClosureDate, Service
from watchkeeper.domain.deadlines import compute_deadlines
from watchkeeper.domain.office_time import Division
from watchkeeper.domain.priority import Priority, SpanKind

pytestmark = pytest.mark.django_db


def test_a_service_gets_deadlines_from_its_own_scottish_calendar() -> None:
    service = make_service("apply-scotland", division="scotland", opening=time(9), closing=time(17))
    calendar = queries.calendar_for(service)
    assert calendar.division is Division.SCOTLAND
    assert calendar.business_day == timedelta(hours=8)

    # P4 reported Thursday 2 April 2026 12:00 BST: Good Friday is a holiday everywhere, Easter Monday is not in
    # Scotland, so one business day (8 hours of 09:00-17:00) ends on Monday 6 April at 12:00 BST.
    reported = datetime(2026, 4, 2, 11, 0, tzinfo=UTC)
    deadlines = compute_deadlines(queries.policy_for(service, Priority.P4), calendar, reported)
    assert deadlines.respond_by == datetime(2026, 4, 6, 11, 0, tzinfo=UTC)

    # P3, 2 office hours from 16:30 on a Friday: 30 minutes on Friday (closes at 17:00), 90 on the next working day
    # from 09:00. Monday 30 November 2026 is St Andrew's Day, a Scottish bank holiday, so that is Tuesday.
    friday = datetime(2026, 11, 27, 16, 30, tzinfo=UTC)
    p3 = compute_deadlines(queries.policy_for(service, Priority.P3), calendar, friday)
    assert p3.respond_by == datetime(2026, 12, 1, 10, 30, tzinfo=UTC)


def test_closure_dates_close_the_office() -> None:
    service = make_service()
    ClosureDate.objects.create(service=service, date=date(2026, 11, 30), reason="Away day")
    friday = datetime(2026, 11, 27, 16, 30, tzinfo=UTC)
    deadlines = compute_deadlines(queries.policy_for(service, Priority.P3), queries.calendar_for(service), friday)
    assert deadlines.respond_by == datetime(2026, 12, 1, 10, 30, tzinfo=UTC)


def test_a_service_may_override_response_time_and_update_interval() -> None:
    service = make_service()
    services.set_priority_override(service, "P2", respond_kind="elapsed", respond_amount=30)
    policy = queries.policy_for(Service.objects.get(pk=service.pk), Priority.P2)
    assert policy.respond_within.kind is SpanKind.ELAPSED
    assert policy.respond_within.amount == 30
    assert policy.update_interval.amount == 120  # the default is kept where nothing is overridden
    assert queries.policy_for(service, Priority.P1).respond_within.amount == 20

    services.set_priority_override(service, "P2")
    assert queries.policy_for(Service.objects.get(pk=service.pk), Priority.P2).respond_within.amount == 60


def test_an_override_needs_both_kind_and_amount() -> None:
    service = make_service()
    with pytest.raises(ValidationError):
        services.set_priority_override(service, "P2", respond_kind="elapsed")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"opening": time(18), "closing": time(9)}, "closing"),
        ({"working_days": "7"}, "working_days"),
        ({"working_days": ""}, "working_days"),
        ({"division": "wales"}, "division"),
        ({"slug": "not a slug"}, "slug"),
    ],
)
def test_bad_service_input_is_refused_and_changes_nothing(fields: dict[str, object], field: str) -> None:
    team = make_team()
    values: dict[str, object] = {"slug": "pay", "name": "Pay", "team": team, **fields}
    with pytest.raises(ValidationError) as caught:
        services.create_service(**values)  # type: ignore[arg-type]
    assert field in caught.value.message_dict
    assert not Service.objects.exists()


def test_components_belong_to_a_service_with_unique_slugs() -> None:
    service = make_service()
    make_component(service, "card-payments")
    with pytest.raises(ValidationError):
        make_component(service, "card-payments")
    make_component(make_service(), "card-payments")  # another service may reuse the slug


def test_catalogue_pages_need_a_login(client) -> None:
    for url in ["/", "/catalogue/services/", "/catalogue/teams/", "/catalogue/services/new"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/sign-in")


def test_only_admins_may_change_the_catalogue(client) -> None:
    make_user("viewer", "viewer")
    client.login(username="viewer", password=PASSWORD)
    assert client.get("/catalogue/services/").status_code == 200
    assert client.get("/catalogue/services/new").status_code == 403
    assert client.post("/catalogue/teams/new", {"name": "X", "slug": "x"}).status_code == 403


def test_admin_adds_a_service_through_the_govuk_form(client) -> None:
    team = make_team("payments")
    make_user("root", "admin")
    client.login(username="root", password=PASSWORD)

    bad = client.post("/catalogue/services/new", {"name": "", "slug": "pay", "team": team.pk, "division": "mars"})
    assert bad.status_code == 200
    page = bad.content.decode()
    assert "govuk-error-summary" in page
    assert "Enter the service name" in page
    assert 'href="#id_name"' in page
    assert not Service.objects.exists()

    good = client.post(
        "/catalogue/services/new",
        {
            "name": "Pay",
            "slug": "pay",
            "team": team.pk,
            "division": "northern-ireland",
            "opening": "09:00",
            "closing": "17:00",
            "working_days": "0,1,2,3,4",
            "timezone": "Europe/London",
        },
    )
    assert good.status_code == 302
    service = Service.objects.get(slug="pay")
    assert (service.division, service.opening, service.closing) == ("northern-ireland", time(9), time(17))
    detail = client.get(good["Location"]).content.decode()
    assert "Northern Ireland" in detail
    assert "20 minutes" in detail

"""Admins change and remove a service's components and remove its closure dates on GOV.UK pages."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from tests.factories import PASSWORD, make_component, make_incident, make_service, make_user
from watchkeeper.catalogue import services
from watchkeeper.catalogue.models import ClosureDate, Component, Service
from watchkeeper.statuspage import services as statuspage
from watchkeeper.statuspage.models import StatusPeriod

pytestmark = pytest.mark.django_db


def signed_in(username: str, *groups: str) -> Client:
    make_user(username, *groups)
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def components(service: Service) -> list[tuple[str, str, str, int]]:
    return list(service.components.values_list("slug", "name", "description", "position"))


def test_an_admin_changes_a_component_from_the_service_page() -> None:
    admin = signed_in("root", "admin")
    service = make_service("pay", name="Pay")
    make_component(service, "api", name="Pay API")
    page = admin.get(f"/catalogue/services/{service.slug}/").content.decode()
    assert f"/catalogue/services/{service.slug}/components/api/edit" in page
    assert f"/catalogue/services/{service.slug}/components/api/remove" in page

    form = admin.get(f"/catalogue/services/{service.slug}/components/api/edit").content.decode()
    assert "Change Pay API" in form and 'value="Pay API"' in form
    response = admin.post(
        f"/catalogue/services/{service.slug}/components/api/edit",
        {"name": "Payments API", "slug": "payments-api", "description": "Card payments", "position": "2"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/catalogue/services/{service.slug}/"
    assert components(service) == [("payments-api", "Payments API", "Card payments", 2)]


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"name": "", "slug": "api", "position": "0"}, "This field is required"),
        ({"name": "Pay API", "slug": "not a slug", "position": "0"}, "Enter a valid"),
        ({"name": "Pay API", "slug": "web", "position": "0"}, "Another component of this service already uses"),
    ],
)
def test_a_refused_change_shows_the_error_summary_and_changes_nothing(answers: dict[str, str], message: str) -> None:
    admin = signed_in("root", "admin")
    service = make_service("pay", name="Pay")
    make_component(service, "api", name="Pay API")
    make_component(service, "web", name="Pay website", position=1)
    before = components(service)
    response = admin.post(f"/catalogue/services/{service.slug}/components/api/edit", answers)
    body = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in body and message in body
    # The page still names the component as it is stored, not as the refused answer would have it.
    assert "Change Pay API" in body
    assert components(service) == before


def test_an_admin_removes_a_component_after_confirming() -> None:
    admin = signed_in("root", "admin")
    service = make_service("pay", name="Pay")
    make_component(service, "api", name="Pay API")
    url = f"/catalogue/services/{service.slug}/components/api/remove"
    confirm = admin.get(url).content.decode()
    assert "Remove Pay API?" in confirm and "status history" in confirm
    assert components(service) != []
    response = admin.post(url)
    assert response.status_code == 302 and response["Location"] == f"/catalogue/services/{service.slug}/"
    assert components(service) == []


def test_a_component_on_an_open_public_incident_stays_until_the_incident_is_resolved() -> None:
    admin = signed_in("root", "admin")
    lead = make_user("lead", "admin")
    service = make_service("pay", name="Pay")
    api = make_component(service, "api", name="Pay API")
    incident = make_incident(lead, service, title="Card payments failing")
    public = statuspage.publish_incident(
        lead, incident, name="Payments failing", body="Looking into it", component_statuses={api: "major_outage"}
    )
    url = f"/catalogue/services/{service.slug}/components/api/remove"
    assert "part of an open public incident" in admin.get(url).content.decode()

    refused = admin.post(url)
    body = refused.content.decode()
    assert refused.status_code == 200
    assert "govuk-error-summary" in body and "\u201cPayments failing\u201d" in body
    assert Component.objects.filter(pk=api.pk).exists()

    statuspage.post_update(lead, public, status="resolved", body="Fixed")
    assert admin.post(url).status_code == 302
    assert not Component.objects.filter(pk=api.pk).exists()
    assert not StatusPeriod.objects.filter(component_id=api.pk).exists()


def test_an_admin_removes_a_closure_date_after_confirming() -> None:
    admin = signed_in("root", "admin")
    service = make_service("pay", name="Pay")
    kept = services.add_closure_date(service=service, date=date(2026, 12, 24), reason="Away day")
    gone = services.add_closure_date(service=service, date=date(2026, 12, 29))
    page = admin.get(f"/catalogue/services/{service.slug}/").content.decode()
    assert "24 December 2026" in page and "Away day" in page
    url = f"/catalogue/services/{service.slug}/closures/{gone.pk}/remove"
    assert url in page
    assert "Remove the closure on 29 December 2026?" in admin.get(url).content.decode()
    response = admin.post(url)
    assert response.status_code == 302 and response["Location"] == f"/catalogue/services/{service.slug}/"
    assert list(ClosureDate.objects.values_list("pk", flat=True)) == [kept.pk]
    # Another service's closure is not this service's to remove.
    other = make_service("apply")
    assert admin.post(f"/catalogue/services/{other.slug}/closures/{kept.pk}/remove").status_code == 404
    assert ClosureDate.objects.filter(pk=kept.pk).exists()


@pytest.mark.parametrize(
    "path", ["components/api/edit", "components/api/remove", "closures/{closure}/remove", "closures/new"]
)
def test_only_admins_reach_the_pages_and_anonymous_people_sign_in_first(path: str) -> None:
    service = make_service("pay", name="Pay")
    make_component(service, "api", name="Pay API")
    closure = services.add_closure_date(service=service, date=date(2026, 12, 24))
    url = f"/catalogue/services/{service.slug}/" + path.format(closure=closure.pk)
    responder = signed_in("ada", "responder")
    assert responder.get(url).status_code == 403
    assert (
        responder.post(url, {"name": "Taken over", "slug": "x", "position": "0", "date": "2027-01-04"}).status_code
        == 403
    )
    anonymous = Client().post(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/sign-in")
    assert components(service) == [("api", "Pay API", "", 0)]
    assert list(ClosureDate.objects.values_list("date", flat=True)) == [date(2026, 12, 24)]
    assert "/remove" not in responder.get(f"/catalogue/services/{service.slug}/").content.decode()

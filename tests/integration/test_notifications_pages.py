"""Admins manage channels and routes in GOV.UK pages; the delivery log partial renders for the incident page."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string

from tests.factories import PASSWORD, make_incident, make_service, make_user
from watchkeeper.notifications.models import Channel, Route

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    make_user("root", "admin")
    client.login(username="root", password=PASSWORD)
    return client


def test_admin_adds_a_channel_and_a_route(admin_client) -> None:
    assert admin_client.get("/notifications/").status_code == 200
    assert admin_client.get("/notifications/channels/new").status_code == 200
    response = admin_client.post(
        "/notifications/channels/new", {"name": "Team email", "kind": "email", "target": "team@example.gov.uk"}
    )
    assert response.status_code == 302
    channel = Channel.objects.get(name="Team email")
    service = make_service("pay-api")
    response = admin_client.post(
        "/notifications/routes/new",
        {"channel": channel.pk, "service": service.pk, "audience": "team", "priorities": ["P1", "P2"]},
    )
    assert response.status_code == 302
    route = Route.objects.get()
    assert route.priorities == ["P1", "P2"] and route.events == [] and route.service == service
    page = admin_client.get("/notifications/").content.decode()
    assert "Team email" in page and "P1, P2" in page
    assert admin_client.get(f"/notifications/routes/{route.pk}/edit").status_code == 200
    assert admin_client.post(f"/notifications/routes/{route.pk}/delete").status_code == 302
    assert not Route.objects.exists()


def test_a_bad_channel_shows_errors_the_govuk_way(admin_client) -> None:
    response = admin_client.post(
        "/notifications/channels/new", {"name": "Hook", "kind": "webhook", "target": "ftp://x"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and "Enter a URL starting with https://" in page
    assert "govuk-error-message" in page
    assert not Channel.objects.exists()


def test_only_admins_manage_notifications(client) -> None:
    make_user("resp", "responder")
    client.login(username="resp", password=PASSWORD)
    assert client.get("/notifications/").status_code == 403
    assert client.post("/notifications/channels/new", {"name": "x"}).status_code == 403


def test_delivery_log_partial(rf) -> None:
    team_channel = Channel.objects.create(name="Team email", kind="email", target="team@example.gov.uk")
    Route.objects.create(channel=team_channel)
    incident = make_incident(priority="P1")
    html = render_to_string("notifications/delivery_log.html", {"incident": incident})
    assert "Messages sent" in html and "Incident declared" in html and "Waiting" in html
    assert "incident.declared" not in html  # codes read as words

"""Other apps link their pages from the incident page, each deciding for itself who may follow the link."""

from __future__ import annotations

import pytest

from tests.factories import make_incident, make_service, make_team, make_user

pytestmark = pytest.mark.django_db


def page_for(client, user, incident) -> str:
    client.force_login(user)
    return client.get(f"/incidents/{incident.reference}/").content.decode()


def test_every_incident_links_its_report_and_review(client) -> None:
    ada = make_user("ada")
    incident = make_incident(ada)
    page = page_for(client, ada, incident)
    assert f'href="/reviews/{incident.reference}/report"' in page
    assert f'href="/reviews/{incident.reference}/review"' in page
    assert "Security response" not in page


def test_a_breach_links_its_record_and_security_response_for_the_team_only(client) -> None:
    ada = make_user("ada")
    incident = make_incident(ada, type="personal_data_breach", priority="P2")
    page = page_for(client, ada, incident)
    assert f'href="/breaches/{incident.reference}/"' in page
    assert "ICO" in page or "deadline" in page
    assert f'href="/breaches/{incident.reference}/security"' in page

    # An admin sees every restricted incident, so the links too; a viewer outside it gets a 404 page.
    assert f"/breaches/{incident.reference}/" in page_for(client, make_user("root", "admin"), incident)
    client.force_login(make_user("vic", "viewer"))
    assert client.get(f"/incidents/{incident.reference}/").status_code == 404


def test_viewers_are_not_offered_declare_in_the_navigation(client) -> None:
    client.force_login(make_user("vic", "viewer"))
    assert "Declare an incident" not in client.get("/").content.decode()
    client.force_login(make_user("ada"))
    assert "Declare an incident" in client.get("/").content.decode()


def test_the_incident_page_shows_its_delivery_log(client) -> None:
    ada = make_user("ada")
    service = make_service(team=make_team(email="pay-team@example.gov.uk"))
    incident = make_incident(ada, service, priority="P1")
    page = page_for(client, ada, incident)
    assert 'id="deliveries"' in page
    # The service's team is told of every event: the declaration is queued to the team's address.
    assert "pay-team@example.gov.uk" in page
    assert "Incident declared" in page  # the event in words, not its code

"""The GDS routing rules as data: who hears about which incident, and when."""

from __future__ import annotations

import pytest

from tests.factories import make_incident, make_service, make_team, make_user
from watchkeeper.incidents import services as incidents
from watchkeeper.notifications import services as notifications
from watchkeeper.notifications.models import Audience, Delivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def gds():
    admin = make_user("root", "admin")
    channels = {
        audience: notifications.create_channel(
            admin, name=audience, kind="email", target=f"{audience.replace('_', '-')}@example.gov.uk"
        )
        for audience in (
            Audience.TEAM,
            Audience.SECURITY,
            Audience.DATA_PROTECTION,
            Audience.ESCALATION,
            Audience.WIDER,
        )
    }
    notifications.install_gds_defaults(admin, channels)
    return admin, channels


def heard(incident, event: str = "incident.declared") -> set[str]:
    return set(Delivery.objects.filter(incident=incident, event=event).values_list("channel__name", flat=True))


def test_p1_technical_failure(gds) -> None:
    assert heard(make_incident(priority="P1")) == {"team", "escalation", "wider"}


def test_p3_technical_failure_is_team_only(gds) -> None:
    assert heard(make_incident(priority="P3")) == {"team"}


def test_personal_data_breach_reaches_security_and_data_protection_but_not_the_wider_audience(gds) -> None:
    incident = make_incident(priority="P1", type="personal_data_breach")
    assert heard(incident) == {"team", "security", "data_protection", "escalation"}


def test_type_changing_to_security_tells_security_once(gds) -> None:
    lead = make_user()
    incident = make_incident(lead, priority="P3")
    incidents.change_type(lead, incident, "security_vulnerability", "it was a vulnerability")
    assert heard(incident, "incident.type_changed") == {"team", "security"}


def test_raised_to_p2_tells_escalation_contacts_but_p1_to_p2_does_not(gds) -> None:
    lead = make_user()
    raised = make_incident(lead, priority="P3")
    incidents.change_priority(lead, raised, "P2", "worse than we thought")
    assert heard(raised, "incident.priority_changed") == {"team", "escalation"}
    lowered = make_incident(lead, priority="P1")
    incidents.change_priority(lead, lowered, "P2", "partly back")
    assert heard(lowered, "incident.priority_changed") == {"team"}


def test_a_service_route_replaces_the_site_wide_one_for_its_audience(gds) -> None:
    admin, _ = gds
    service = make_service()
    own = notifications.create_channel(admin, name="pay-team", kind="email", target="pay@example.gov.uk")
    notifications.create_route(admin, channel=own, service=service, audience=Audience.TEAM)
    assert heard(make_incident(service=service, priority="P3")) == {"pay-team"}
    assert heard(make_incident(priority="P3")) == {"team"}


def test_without_team_routes_the_team_email_is_used() -> None:
    incident = make_incident(service=make_service(team=make_team(email="ops@example.gov.uk")), priority="P4")
    [delivery] = Delivery.objects.filter(incident=incident)
    assert delivery.channel is None and delivery.recipient == "ops@example.gov.uk" and delivery.audience == "team"

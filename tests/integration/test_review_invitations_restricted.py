"""Review invitations go only to people who can see the incident, and a restricted incident's name only its
reference and a link, in the email and in the calendar event that is copied into people's calendars."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client

from tests.factories import make_incident, make_user
from tests.integration.test_reviews_reminders import calendar_part, run_worker_at, sent
from watchkeeper.incidents import services as incidents
from watchkeeper.reviews import services

pytestmark = pytest.mark.django_db(transaction=True)

MONDAY_10AM = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
TITLE = "Attacker reading the payments database"


@pytest.fixture(autouse=True)
def _locmem(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def world() -> dict[str, Any]:
    lead, comms, rita = make_user("lead"), make_user("comms"), make_user("rita")
    otto = make_user("otto")
    with time_machine.travel(MONDAY_10AM - timedelta(hours=2), tick=False):
        incident = make_incident(lead, title=TITLE, priority="P2", restricted=True, take_lead=True)
        incidents.assign_role(lead, incident, "comms_lead", comms)
        incidents.join(lead, incident, rita)
    with time_machine.travel(MONDAY_10AM, tick=False):
        incidents.resolve(lead, incident, "Access revoked")
    return {"lead": lead, "comms": comms, "rita": rita, "otto": otto, "incident": incident}


def test_nobody_outside_the_incident_can_be_invited(world: dict[str, Any]) -> None:
    incident = world["incident"]
    with pytest.raises(ValidationError) as refused:
        services.schedule_review(
            world["lead"],
            incident,
            proposed_for=MONDAY_10AM + timedelta(days=3),
            invitees=[world["lead"], world["otto"]],
        )
    assert "otto cannot see" in refused.value.message_dict["invitees"][0]


def test_a_responder_who_left_is_not_sent_the_invitation(world: dict[str, Any]) -> None:
    incident, lead = world["incident"], world["lead"]
    with time_machine.travel(MONDAY_10AM, tick=False):
        services.schedule_review(
            lead, incident, proposed_for=MONDAY_10AM + timedelta(days=3),
            invitees=[lead, world["comms"], world["rita"]],
        )  # fmt: skip
        incidents.leave(world["rita"], incident)
    run_worker_at(MONDAY_10AM)
    [invitation] = sent()
    assert sorted(invitation.to) == ["comms@example.gov.uk", "lead@example.gov.uk"]
    assert "rita" not in calendar_part(invitation).get_payload(decode=True).decode()


def test_a_restricted_invitation_carries_only_the_reference_and_a_link(world: dict[str, Any], client: Client) -> None:
    incident = world["incident"]
    run_worker_at(MONDAY_10AM)
    [invitation] = sent()
    event = calendar_part(invitation).get_payload(decode=True).decode()
    unfolded = event.replace("\r\n", "\n").replace("\n ", "")
    assert f"SUMMARY:Incident review: {incident.reference}\n" in unfolded
    assert f"/reviews/{incident.reference}/report" in unfolded
    for text in (event, unfolded, invitation.subject, invitation.body):
        assert "Attacker" not in text and "payments database" not in text
    client.force_login(world["lead"])
    download = client.get(f"/reviews/{incident.reference}/review.ics")
    assert download.status_code == 200, download.status_code
    assert "Attacker" not in download.content.decode().replace("\r\n ", "")
    assert f"SUMMARY:Incident review: {incident.reference}\r\n" in download.content.decode()

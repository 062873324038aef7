"""Update reminders and escalations fire at their instants, re-check when they fire, and keep office hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.factories import make_incident, make_service, make_team, make_user
from tests.fakes.webhooks import WEBHOOK_SECRET
from tests.fakes.worker import run_until
from watchkeeper.incidents import services as incidents
from watchkeeper.notifications import services as notifications
from watchkeeper.notifications.models import Audience, Delivery

pytest_plugins = ["tests.fakes.fixtures"]
pytestmark = pytest.mark.django_db(transaction=True)

LONDON_NIGHT = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)  # Monday 03:00 GMT


@pytest.fixture
def escalation(receiver):
    admin = make_user("root", "admin")
    channel = notifications.create_channel(
        admin, name="escalation", kind="webhook", target=receiver.url, secret=WEBHOOK_SECRET
    )
    notifications.install_gds_defaults(admin, {Audience.ESCALATION: channel})
    return receiver


def events_to(receiver) -> list[str]:
    return [body["type"] for body in receiver.received.values()]


def mail_to(smtp, address: str) -> list[str]:
    return [m["Subject"] for m in smtp.inbox.messages if m["To"] == address]


def test_p1_at_night_reminds_then_escalates_to_lead_then_escalation_contacts(smtp, escalation) -> None:
    lead, comms = make_user("lead"), make_user("comms")
    with time_machine.travel(LONDON_NIGHT, tick=False) as clock:
        incident = make_incident(lead, priority="P1", take_lead=True)
        incidents.assign_role(lead, incident, "comms_lead", comms)
        assert incident.next_update_due == LONDON_NIGHT + timedelta(hours=1)
        run_until(clock, LONDON_NIGHT + timedelta(minutes=49))
        assert events_to(escalation) == ["incident.declared"]
        assert not [s for s in mail_to(smtp, "comms@example.gov.uk") if "Reminder" in s]
        run_until(clock, LONDON_NIGHT + timedelta(minutes=50))
        assert any(s.startswith("Reminder") for s in mail_to(smtp, "comms@example.gov.uk"))
        run_until(clock, LONDON_NIGHT + timedelta(minutes=60))
        assert any(s.startswith("Overdue") for s in mail_to(smtp, "comms@example.gov.uk"))
        assert any(s.startswith("Overdue") for s in mail_to(smtp, "lead@example.gov.uk"))
        assert "escalation.update_overdue" not in events_to(escalation)
        run_until(clock, LONDON_NIGHT + timedelta(minutes=75))
    assert events_to(escalation) == ["incident.declared", "escalation.update_overdue"]


def test_an_update_posted_meanwhile_silences_the_reminders(smtp, escalation) -> None:
    lead = make_user("lead")
    with time_machine.travel(LONDON_NIGHT, tick=False) as clock:
        incident = make_incident(lead, priority="P1", take_lead=True)
        run_until(clock, LONDON_NIGHT + timedelta(minutes=55))
        incidents.post_update(lead, incident, "Still investigating")
        run_until(clock, LONDON_NIGHT + timedelta(minutes=100))
    subjects = mail_to(smtp, "lead@example.gov.uk")
    assert len([s for s in subjects if s.startswith("Reminder")]) == 1, "only the one before the first deadline"
    assert not [s for s in subjects if s.startswith("Overdue")]
    assert "escalation.update_overdue" not in events_to(escalation)


def test_missed_response_on_p1_goes_to_escalation_contacts(escalation) -> None:
    with time_machine.travel(LONDON_NIGHT, tick=False) as clock:
        incident = make_incident(priority="P1")
        run_until(clock, LONDON_NIGHT + timedelta(minutes=19))
        assert "escalation.response_overdue" not in events_to(escalation)
        run_until(clock, LONDON_NIGHT + timedelta(minutes=21))
    assert "escalation.response_overdue" in events_to(escalation)
    assert Delivery.objects.filter(incident=incident, event="escalation.response_overdue").count() == 1


def test_a_response_in_time_cancels_the_response_escalation(escalation) -> None:
    lead = make_user()
    with time_machine.travel(LONDON_NIGHT, tick=False) as clock:
        incident = make_incident(lead, priority="P1")
        clock.move_to(LONDON_NIGHT + timedelta(minutes=10))
        incidents.assign_role(lead, incident, "incident_lead", lead)
        run_until(clock, LONDON_NIGHT + timedelta(minutes=30))
    assert "escalation.response_overdue" not in events_to(escalation)


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        # Friday 15:30: respond by 17:30, closing, so the team hears at Monday's opening.
        (datetime(2026, 3, 6, 15, 30, tzinfo=UTC), datetime(2026, 3, 9, 9, 30, tzinfo=UTC)),
        # Maundy Thursday 15:30 BST: Good Friday and Easter Monday are bank holidays in England.
        (datetime(2026, 4, 2, 14, 30, tzinfo=UTC), datetime(2026, 4, 7, 8, 30, tzinfo=UTC)),
    ],
)
def test_p3_missed_response_reaches_the_team_at_the_next_opening(smtp, declared, expected) -> None:
    service = make_service(team=make_team(email="team@example.gov.uk"))
    with time_machine.travel(declared, tick=False) as clock:
        make_incident(service=service, priority="P3")
        run_until(clock, expected - timedelta(seconds=1))
        assert not [s for s in mail_to(smtp, "team@example.gov.uk") if s.startswith("Escalation")]
        run_until(clock, expected)
    assert len([s for s in mail_to(smtp, "team@example.gov.uk") if s.startswith("Escalation")]) == 1


def test_p4_update_reminder_waits_for_office_hours(smtp) -> None:
    lead = make_user("lead")
    monday_morning = datetime(2026, 3, 2, 9, 35, tzinfo=UTC)
    with time_machine.travel(monday_morning, tick=False) as clock:
        incident = make_incident(lead, priority="P4", take_lead=True)
        due = incident.next_update_due
        assert due == datetime(2026, 3, 9, 9, 35, tzinfo=UTC)  # 5 business days later
        before = datetime(2026, 3, 9, 9, 30, tzinfo=UTC)  # 10 minutes before is 09:25, office shut
        run_until(clock, before - timedelta(seconds=1))
        assert not [s for s in mail_to(smtp, "lead@example.gov.uk") if s.startswith("Reminder")]
        run_until(clock, before)
        assert [s for s in mail_to(smtp, "lead@example.gov.uk") if s.startswith("Reminder")]

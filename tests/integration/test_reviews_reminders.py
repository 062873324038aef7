"""Reminders to action owners and review invitees, and the .ics invitation, run as deferred tasks under time-machine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from tests.factories import make_incident, make_user
from watchkeeper.incidents import services as incidents
from watchkeeper.incidents.models import TimelineEntry
from watchkeeper.reviews import reminders, services
from watchkeeper.reviews.models import Review

# The worker commits and checks connections as in production, so these tests cannot wrap it in one transaction.
pytestmark = pytest.mark.django_db(transaction=True)

MONDAY_10AM = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # GMT, so UTC is local time
DUE = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)  # five business days later
FRIDAY_BEFORE = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _locmem(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def run_worker_at(instant: datetime) -> None:
    with time_machine.travel(instant, tick=False):
        call_command("db_worker", "--batch", "--interval", "0", "--no-startup-delay", "--no-reload", verbosity=0)
    assert not DBTaskResult.objects.failed().exists(), [r.traceback for r in DBTaskResult.objects.failed()]


def notes(incident: object) -> list[str]:
    ours = TimelineEntry.objects.filter(incident=incident, kind="notification", data__reviews__isnull=False)
    return list(ours.values_list("text", flat=True))


def sent() -> list[Any]:
    """Email about actions and reviews; the notifications app emails the team about the incident itself."""
    return [m for m in mail.outbox if "Follow-up action" in m.subject or "incident review" in m.subject]


@pytest.fixture
def action() -> Any:
    lead, owner = make_user("lead"), make_user("owner")
    with time_machine.travel(MONDAY_10AM, tick=False):
        incident = make_incident(lead, title="Card payments failing", take_lead=True)
        return services.add_action(lead, incident, title="Add a canary", owner=owner, due_in_business_days=5)


def test_the_owner_is_reminded_a_business_day_before_and_when_overdue(action) -> None:
    assert action.due_at == DUE
    run_worker_at(FRIDAY_BEFORE - timedelta(minutes=1))
    assert sent() == []
    run_worker_at(FRIDAY_BEFORE)
    assert [m.to for m in sent()] == [["owner@example.gov.uk"]]
    assert "due soon" in sent()[0].subject and "Add a canary" in sent()[0].body
    assert "10:00 on Monday 7 December 2026" in sent()[0].body
    assert f"/reviews/actions/{action.pk}" in sent()[0].body
    run_worker_at(DUE)
    assert len(sent()) == 2 and "overdue" in sent()[1].subject
    assert notes(action.incident) == [
        "Reminder emailed to owner: action 'Add a canary' due soon",
        "Reminder emailed to owner: action 'Add a canary' overdue",
    ]


def test_a_finished_action_is_not_chased(action) -> None:
    with time_machine.travel(MONDAY_10AM + timedelta(days=1), tick=False):
        services.update_action(action.owner, action, status="done")
    run_worker_at(DUE + timedelta(days=1))
    assert sent() == []
    assert notes(action.incident) == []


def test_a_new_due_date_replaces_the_reminders(action) -> None:
    with time_machine.travel(MONDAY_10AM + timedelta(days=1), tick=False):  # Tuesday: 10 days is Tuesday 15th
        services.update_action(action.owner, action, due_in_business_days=10)
    run_worker_at(DUE + timedelta(hours=1))
    assert sent() == []  # the old date's reminders stood down
    run_worker_at(datetime(2026, 12, 15, 10, 0, tzinfo=UTC))
    assert [m.subject.rsplit(" ", 1)[-1] for m in sent()] == ["soon", "overdue"]


def test_a_reminder_that_runs_twice_sends_once(action) -> None:
    with time_machine.travel(FRIDAY_BEFORE, tick=False):
        assert reminders.remind_action(action.pk, reminders.DUE_SOON, DUE.isoformat()) == "sent"
        assert reminders.remind_action(action.pk, reminders.DUE_SOON, DUE.isoformat()) == "already sent"
    assert len(sent()) == 1


def test_a_restricted_incident_stays_out_of_the_email() -> None:
    lead = make_user("lead")
    with time_machine.travel(MONDAY_10AM, tick=False):
        incident = make_incident(lead, title="Attacker in the admin panel", restricted=True, take_lead=True)
        action = services.add_action(lead, incident, title="Rotate the admin keys", owner=lead, due_in_business_days=5)
    run_worker_at(DUE)
    assert len(sent()) == 2
    for message in sent():
        assert incident.reference in message.body
        assert "Rotate the admin keys" not in message.body + message.subject
        assert "Attacker" not in message.body + message.subject
    assert action.pk


# Review ------------------------------------------------------------------------------------------------------------


@pytest.fixture
def resolved() -> Any:
    lead, comms = make_user("lead"), make_user("comms")
    with time_machine.travel(MONDAY_10AM - timedelta(hours=2), tick=False):
        incident = make_incident(lead, title="Card payments failing", priority="P2", take_lead=True)
        incidents.assign_role(lead, incident, "comms_lead", comms)
    with time_machine.travel(MONDAY_10AM, tick=False):
        incidents.resolve(lead, incident, "Rolled back")
    return lead, incident


def calendar_part(message: Any) -> Any:
    parsed = message_from_bytes(message.message().as_bytes())
    parts = [part for part in parsed.walk() if part.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    return parts[0]


def test_invitees_get_an_ics_request_on_resolution_and_a_reminder_before(resolved) -> None:
    _, incident = resolved
    run_worker_at(MONDAY_10AM)
    assert len(sent()) == 1
    invitation = sent()[0]
    assert sorted(invitation.to) == ["comms@example.gov.uk", "lead@example.gov.uk"]
    part = calendar_part(invitation)
    assert part.get_param("method") == "REQUEST"
    body = part.get_payload(decode=True).decode()
    assert "METHOD:REQUEST" in body and "DTSTART:20261207T100000Z" in body
    run_worker_at(FRIDAY_BEFORE - timedelta(minutes=1))
    assert len(sent()) == 1
    run_worker_at(FRIDAY_BEFORE)
    assert len(sent()) == 2 and sent()[1].subject.startswith("Reminder: incident review")
    assert notes(incident) == [
        "Review invitation emailed to comms, lead",
        "Review reminder emailed to comms, lead",
    ]


def test_replanning_sends_a_new_invitation_and_moves_the_reminder(resolved) -> None:
    lead, incident = resolved
    with time_machine.travel(MONDAY_10AM + timedelta(hours=1), tick=False):
        services.schedule_review(lead, incident, proposed_for=datetime(2026, 12, 9, 14, 0, tzinfo=UTC))
    run_worker_at(MONDAY_10AM + timedelta(hours=1))
    # Only the newest plan is sent: the proposal's invitation was superseded before the worker reached it.
    assert len(sent()) == 1
    assert "DTSTART:20261209T140000Z" in calendar_part(sent()[0]).get_payload(decode=True).decode()
    assert "SEQUENCE:3" in calendar_part(sent()[0]).get_payload(decode=True).decode()
    run_worker_at(FRIDAY_BEFORE)
    assert len(sent()) == 1  # the old date's reminder stood down
    run_worker_at(datetime(2026, 12, 8, 14, 0, tzinfo=UTC))
    assert len(sent()) == 2 and "14:00 on Wednesday 9 December 2026" in sent()[1].body


def test_no_reminder_once_the_review_is_recorded(resolved) -> None:
    lead, incident = resolved
    run_worker_at(MONDAY_10AM)
    with time_machine.travel(MONDAY_10AM + timedelta(days=1), tick=False):
        services.record_review(
            lead,
            incident,
            held_at=MONDAY_10AM + timedelta(hours=20),
            attendance="lead, comms",
            root_cause="Bad deploy",
            root_cause_category="code_change",
        )
    run_worker_at(DUE)
    assert len(sent()) == 1  # the invitation only
    assert Review.objects.get(incident=incident).is_recorded

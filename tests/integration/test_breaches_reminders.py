"""Reminders at 24, 48, 60 and 70 hours and the escalation, run by the real database worker under time-machine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from tests.factories import make_incident, make_user
from tests.integration.conftest import Listen
from watchkeeper.breaches import services
from watchkeeper.breaches.models import BreachAlert
from watchkeeper.incidents import events
from watchkeeper.incidents.models import TimelineEntry

# The worker commits and checks connections as in production, so the test cannot wrap it in one transaction.
pytestmark = pytest.mark.django_db(transaction=True)
AWARE = datetime(2026, 3, 27, 10, 0, tzinfo=UTC)  # the clocks go forward on the 29th


@pytest.fixture
def heard(listen: Listen) -> list[events.IncidentEvent]:
    return listen({events.BREACH_REMINDER, events.BREACH_ESCALATION})


@pytest.fixture
def breach_incident():
    with time_machine.travel(AWARE, tick=False):
        lead = make_user("lead")
        return lead, make_incident(lead, type="personal_data_breach", take_lead=True)


def mine():
    # Other apps enqueue their own work on declaration; these are the breach clock's.
    return DBTaskResult.objects.filter(task_path="watchkeeper.breaches.tasks.breach_alert")


def run_worker_at(hours: float) -> None:
    with time_machine.travel(AWARE + timedelta(hours=hours), tick=False):
        call_command("db_worker", "--batch", "--interval", "0", "--no-startup-delay", "--no-reload", verbosity=0)


def sent(heard: list[events.IncidentEvent]) -> list[tuple[str, int]]:
    return [(event.name, event.data["hours"]) for event in heard]


def test_reminders_and_escalation_fire_on_elapsed_hours(breach_incident, heard) -> None:
    _, incident = breach_incident
    assert mine().count() == 6
    run_worker_at(23.9)
    assert heard == []
    run_worker_at(24)
    assert sent(heard) == [("breach.reminder", 24)]
    run_worker_at(60)
    assert sent(heard)[1:] == [("breach.reminder", 48), ("breach.reminder", 60)]
    run_worker_at(70)
    assert sent(heard)[3:] == [("breach.escalation", 70), ("breach.reminder", 70)]
    run_worker_at(72)
    assert sent(heard)[5:] == [("breach.escalation", 72)]
    assert heard[-1].data["reference"] == incident.reference
    assert heard[-1].data["ico_deadline"] == "2026-03-30T10:00:00+00:00"
    assert set(heard[-1].data) == {"reference", "hours", "ico_deadline", "path"}
    # The breach clock's own entries; each delivery of an alert adds a "Sent to …" entry besides.
    notes = TimelineEntry.objects.filter(incident=incident, kind="notification", data__has_key="breach_alert")
    assert notes.count() == 6
    assert not mine().exclude(status="SUCCESSFUL").exists()


def test_nothing_fires_once_the_ico_decision_is_made(breach_incident, heard) -> None:
    lead, incident = breach_incident
    run_worker_at(24)
    with time_machine.travel(AWARE + timedelta(hours=30), tick=False):
        services.decide_ico(lead, incident, True, "names and addresses")
    run_worker_at(80)
    assert sent(heard) == [("breach.reminder", 24)]


def test_a_new_awareness_time_restarts_the_reminders(breach_incident, heard) -> None:
    lead, incident = breach_incident
    with time_machine.travel(AWARE + timedelta(hours=1), tick=False):
        services.change_aware_at(lead, incident, AWARE - timedelta(hours=10), "found an earlier email")
    run_worker_at(14)
    # The old 24-hour reminder is due at AWARE+24h; the new one fired at AWARE+14h.
    assert sent(heard) == [("breach.reminder", 24)]
    run_worker_at(24)
    assert sent(heard) == [("breach.reminder", 24)]


def test_a_task_that_runs_twice_sends_once(breach_incident, heard) -> None:
    _, incident = breach_incident
    breach = incident.breach
    with time_machine.travel(AWARE + timedelta(hours=24), tick=False):
        assert services.send_alert(breach.pk, 24, "reminder", breach.aware_at.isoformat()) == "sent"
        assert services.send_alert(breach.pk, 24, "reminder", breach.aware_at.isoformat()) == "already sent"
    assert BreachAlert.objects.count() == 1
    assert len(heard) == 1


def test_a_breach_found_after_its_deadline_escalates_at_once(heard) -> None:
    lead = make_user("lead")
    incident = make_incident(lead, take_lead=True)
    with time_machine.travel(datetime.now(UTC), tick=False):
        services.open_breach(lead, incident)
        services.change_aware_at(lead, incident, incident.declared_at - timedelta(days=5), "old audit finding")
    call_command("db_worker", "--batch", "--interval", "0", "--no-startup-delay", "--no-reload", verbosity=0)
    assert sent(heard) == [("breach.escalation", 72)]

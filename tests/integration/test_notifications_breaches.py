"""The 72-hour ICO clock's reminders and escalations go out as deliveries: to the response team and data protection."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.factories import make_incident, make_service, make_team, make_user
from tests.fakes.webhooks import WEBHOOK_SECRET
from tests.fakes.worker import run_until
from watchkeeper.breaches import services as breaches
from watchkeeper.incidents import services as incidents
from watchkeeper.notifications import services as notifications
from watchkeeper.notifications.models import Audience, Delivery, Status

pytest_plugins = ["tests.fakes.fixtures"]
pytestmark = pytest.mark.django_db(transaction=True)

AWARE = datetime(2026, 3, 27, 10, 0, tzinfo=UTC)  # a Friday; the clocks go forward on the Sunday


@pytest.fixture
def admin():
    return make_user("root", "admin")


@pytest.fixture
def data_protection(admin, receiver):
    channel = notifications.create_channel(
        admin, name="dpo", kind="webhook", target=receiver.url, secret=WEBHOOK_SECRET
    )
    notifications.install_gds_defaults(admin, {Audience.DATA_PROTECTION: channel})
    return receiver


def breach_deliveries(incident, event: str):
    return Delivery.objects.filter(incident=incident, event=event).order_by("created_at", "id")


def breach_events(receiver) -> list[dict]:
    return [body for body in receiver.received.values() if body["type"].startswith("breach.")]


def mail(smtp, address: str, containing: str = "") -> list[str]:
    # Long subjects arrive folded over lines.
    subjects = [" ".join(str(m["Subject"]).split()) for m in smtp.inbox.messages if m["To"] == address]
    return [subject for subject in subjects if containing in subject]


def declare_breach(lead, comms=None, **fields):
    incident = make_incident(lead, type="personal_data_breach", priority="P2", take_lead=True, **fields)
    if comms is not None:
        incidents.assign_role(lead, incident, "comms_lead", comms)
    return incident


def test_reminders_reach_both_leads_and_escalations_reach_data_protection(smtp, data_protection) -> None:
    lead, comms = make_user("lead"), make_user("comms")
    with time_machine.travel(AWARE, tick=False) as clock:
        incident = declare_breach(lead, comms, title="Letters sent to old addresses")
        run_until(clock, AWARE + timedelta(hours=23, minutes=59))
        assert not breach_deliveries(incident, "breach.reminder").exists()
        run_until(clock, AWARE + timedelta(hours=24))
        reminders = breach_deliveries(incident, "breach.reminder")
        assert {(d.recipient, d.status) for d in reminders} == {
            ("lead@example.gov.uk", Status.SENT),
            ("comms@example.gov.uk", Status.SENT),
        }
        # The leads' mailboxes are outside the security route: the reference and a link, nothing more.
        assert mail(smtp, "comms@example.gov.uk", f"A restricted incident needs attention: {incident.reference}")
        assert not any("Letters sent" in m.as_string() for m in smtp.inbox.messages)
        assert not breach_events(data_protection)
        run_until(clock, AWARE + timedelta(hours=72))

    reminders = breach_deliveries(incident, "breach.reminder")
    assert reminders.count() == 8 and not reminders.exclude(status=Status.SENT).exists(), "4 milestones, 2 leads"
    assert len(mail(smtp, "lead@example.gov.uk", "A restricted incident needs attention")) >= 4
    escalations = breach_events(data_protection)
    assert [b["data"]["details"]["hours"] for b in escalations] == [70, 72]
    # Data protection contacts are inside the security route, so they hear what it is about.
    assert escalations[0]["data"]["incident"]["title"] == "Letters sent to old addresses"
    assert escalations[0]["data"]["details"]["ico_deadline"] == "2026-03-30T10:00:00+00:00"
    assert "report INC-" not in escalations[0]["data"]["headline"]
    assert "due by 11:00 on 30 March" in escalations[0]["data"]["headline"], "the deadline in London time (BST)"
    assert not breach_deliveries(incident, "breach.escalation").exclude(audience=Audience.DATA_PROTECTION).exists()
    sent = incident.timeline.filter(kind="notification", text__startswith="Sent to dpo", text__contains="ICO")
    assert sent.count() == 2


def test_an_ico_decision_stops_the_messages(smtp, data_protection) -> None:
    lead = make_user("lead")
    with time_machine.travel(AWARE, tick=False) as clock:
        incident = declare_breach(lead)
        run_until(clock, AWARE + timedelta(hours=30))
        breaches.decide_ico(lead, incident, False, "the letters were returned unopened")
        run_until(clock, AWARE + timedelta(hours=80))
    assert [d.created_at for d in breach_deliveries(incident, "breach.reminder")] == [AWARE + timedelta(hours=24)]
    assert not breach_deliveries(incident, "breach.escalation").exists()


def test_a_milestone_that_fires_twice_sends_once(smtp, data_protection) -> None:
    lead = make_user("lead")
    with time_machine.travel(AWARE, tick=False):
        incident = declare_breach(lead)
    breach = incident.breach
    with time_machine.travel(AWARE + timedelta(hours=70), tick=False) as clock:
        breaches.send_alert(breach.pk, 70, "escalation", breach.aware_at.isoformat())
        breaches.send_alert(breach.pk, 70, "escalation", breach.aware_at.isoformat())
        run_until(clock, AWARE + timedelta(hours=70, minutes=1))
    assert breach_deliveries(incident, "breach.escalation").count() == 1
    assert len(breach_events(data_protection)) == 1


def test_without_data_protection_contacts_the_escalation_reaches_the_response_team(smtp) -> None:
    lead = make_user("lead")
    with time_machine.travel(AWARE, tick=False) as clock:
        incident = declare_breach(lead)
        run_until(clock, AWARE + timedelta(hours=72))
    escalations = breach_deliveries(incident, "breach.escalation")
    assert {(d.recipient, d.status) for d in escalations} == {("lead@example.gov.uk", Status.SENT)}
    assert len(mail(smtp, "lead@example.gov.uk", "A restricted incident needs attention")) >= 2


def test_a_route_can_ask_for_breach_events_by_name_and_others_do_not_get_them(admin, smtp, receiver) -> None:
    service = make_service(team=make_team(email="team@example.gov.uk"))
    asked = notifications.create_channel(admin, name="ops", kind="webhook", target=receiver.url, secret=WEBHOOK_SECRET)
    notifications.create_route(admin, channel=asked, events=["breach.reminder"])
    everything = notifications.create_channel(admin, name="all", kind="email", target="all@example.gov.uk")
    notifications.create_route(admin, channel=everything)
    lead = make_user("lead")
    with time_machine.travel(AWARE, tick=False) as clock:
        incident = declare_breach(lead, service=service)
        run_until(clock, AWARE + timedelta(hours=24))
    [body] = [b for b in receiver.received.values() if b["type"] == "breach.reminder"]
    assert body["data"]["withheld"] is True and body["data"]["details"] == {}
    assert body["data"]["incident"]["reference"] == incident.reference
    assert not breach_deliveries(incident, "breach.reminder").filter(channel=everything).exists()


def test_marking_personal_data_restricts_the_incident_so_reminders_name_only_the_reference(smtp) -> None:
    lead = make_user("lead")
    with time_machine.travel(AWARE, tick=False) as clock:
        incident = make_incident(lead, priority="P3", take_lead=True, title="Export ran twice")
        breaches.open_breach(lead, incident)
        run_until(clock, AWARE + timedelta(hours=24))
    [subject] = mail(smtp, "lead@example.gov.uk", incident.reference)
    assert subject == f"A restricted incident needs attention: {incident.reference}"
    assert "Export ran twice" not in subject

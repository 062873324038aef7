"""Every kind of outgoing message about a restricted incident, sent anywhere but the security and data protection
routes, carries only its reference and a link: one test per kind, each against the real local fake it goes to.

The incident lives a whole life (declared, updated, its status, priority and roles changed, reminded about and
escalated when updates are late, resolved, its review planned), so each kind is checked on every message it sent.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User

from tests.factories import make_incident, make_service, make_team, make_user
from tests.fakes.http import FakeServer
from tests.fakes.notify import FakeNotify
from tests.fakes.slack import FakeSlack
from tests.fakes.smtp import SmtpServer
from tests.fakes.webhooks import WEBHOOK_SECRET, TeamsWebhook, WebhookReceiver
from tests.fakes.worker import run_until
from tests.integration.test_notifications_restricted import mail_text
from watchkeeper.incidents import services as incidents
from watchkeeper.incidents.models import Incident
from watchkeeper.notifications import services as notifications
from watchkeeper.notifications.models import Audience, Delivery, Status

pytest_plugins = ["tests.fakes.fixtures"]
pytestmark = pytest.mark.django_db(transaction=True)

# Single words, so they would show through URL, JSON, MIME or iCalendar encoding alike.
TITLE = "Zanzibar"
DESCRIPTION = "Marmalade"
UPDATE = "Quokka"
STATUS_NOTE = "Tangerine"
PRIORITY_REASON = "Kumquat"
RESOLUTION = "Pomegranate"
SERVICE = "Xylophone"
SECRETS = (TITLE, DESCRIPTION, UPDATE, STATUS_NOTE, PRIORITY_REASON, RESOLUTION, SERVICE)
START = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)  # a Monday night: the P1 clocks run out of hours too
AUDIENCES_OUTSIDE = [a for a in Audience if a not in {Audience.SECURITY, Audience.DATA_PROTECTION}]


def live_a_restricted_incident(clock: Any, lead: User, comms: User) -> Incident:
    """Every change that notifies, then hours of silence, so the reminders and escalations are sent too."""
    service = make_service(name=f"{SERVICE} claims", team=make_team(email="team@example.gov.uk"))
    incident = make_incident(
        lead, service, title=f"{TITLE} payroll export", description=DESCRIPTION, restricted=True,
        priority="P2", take_lead=True,
    )  # fmt: skip
    incidents.assign_role(lead, incident, "comms_lead", comms)
    incidents.post_update(lead, incident, f"{UPDATE} found in the logs")
    incidents.change_status(lead, incident, "identified", STATUS_NOTE)
    incidents.change_priority(lead, incident, "P1", f"{PRIORITY_REASON}: more systems affected")
    run_until(clock, START + timedelta(hours=3))
    incidents.resolve(lead, incident, RESOLUTION)
    run_until(clock, START + timedelta(hours=3, minutes=5))
    return Incident.objects.get(pk=incident.pk)


def check(bodies: list[str], incident: Incident, kind: str) -> int:
    assert bodies, f"{kind} heard nothing, which proves nothing"
    link = f"/incidents/{incident.reference}/"
    for body in bodies:
        assert incident.reference in body, (kind, body[:300])
        assert link in body or f"/reviews/{incident.reference}/" in body, (kind, body[:300])
        leaked = [word for word in SECRETS if word in body]
        assert not leaked, f"{kind} was told {leaked}: {body[:500]}"
    print(f"{kind}: {len(bodies)} messages about {incident.reference} checked")
    return len(bodies)


@pytest.fixture
def people() -> tuple[User, User]:
    make_user("root", "admin")
    return make_user("lead"), make_user("comms", email="comms@example.gov.uk")


def route(kind: str, target: str, **extra: Any) -> None:
    admin = User.objects.get(username="root")
    channel = notifications.create_channel(admin, name=kind, kind=kind, target=target, **extra)
    for audience in AUDIENCES_OUTSIDE:
        notifications.create_route(admin, channel=channel, audience=audience.value)


def run(people: tuple[User, User]) -> Incident:
    with time_machine.travel(START, tick=False) as clock:
        incident = live_a_restricted_incident(clock, *people)
    assert not Delivery.objects.exclude(status=Status.SENT).exists()
    return incident


def test_email(people, smtp: SmtpServer) -> None:
    route("email", "ops@example.gov.uk")
    incident = run(people)
    check([mail_text(m) for m in smtp.inbox.messages], incident, "email")


def test_ics_review_invitation(people, smtp: SmtpServer) -> None:
    incident = run(people)
    calendars = [
        part.get_payload(decode=True).decode()
        for message in smtp.inbox.messages
        for part in message.walk()
        if part.get_content_type() == "text/calendar"
    ]
    check([c.replace("\r\n ", "") for c in calendars], incident, ".ics")


def test_slack(people, slack: FakeSlack) -> None:
    route("slack", "#incidents")
    incident = run(people)
    check([r.body.decode() for r in slack.requests], incident, "slack")


def test_slack_webhook(people) -> None:
    hook = FakeServer()
    try:
        route("slack_webhook", f"{hook.url}/services/T0/B0/x")
        incident = run(people)
    finally:
        hook.close()
    check([r.body.decode() for r in hook.requests], incident, "slack webhook")


def test_teams(people, teams: TeamsWebhook) -> None:
    route("teams", f"{teams.url}/workflows/abc")
    incident = run(people)
    check([r.body.decode() for r in teams.requests], incident, "teams")


def test_webhook(people, receiver: WebhookReceiver) -> None:
    route("webhook", receiver.url, secret=WEBHOOK_SECRET)
    incident = run(people)
    bodies = [json.dumps(body) for body in receiver.received.values()]
    check(bodies, incident, "webhook")
    assert all(body["data"]["withheld"] for body in receiver.received.values())


def _notify(people: tuple[User, User], notify: FakeNotify, kind: str, target: str) -> tuple[Incident, list[str]]:
    route(kind, target, template_id=str(uuid.uuid4()))
    incident = run(people)
    return incident, [r.body.decode() for r in notify.requests]


def test_sms(people, notify: FakeNotify) -> None:
    incident, bodies = _notify(people, notify, "notify_sms", "07700900123")
    assert {n["kind"] for n in notify.sent} == {"sms"}
    check(bodies, incident, "sms")


def test_notify_email(people, notify: FakeNotify) -> None:
    incident, bodies = _notify(people, notify, "notify_email", "ops@example.gov.uk")
    assert {n["kind"] for n in notify.sent} == {"email"}
    check(bodies, incident, "notify email")

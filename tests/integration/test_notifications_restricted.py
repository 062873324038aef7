"""Issue 8: messages about restricted incidents outside the security route say only that one needs attention."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import Message

import pytest
import time_machine

from tests.factories import make_incident, make_service, make_team, make_user
from tests.fakes.http import Failure, FakeServer
from tests.fakes.webhooks import WEBHOOK_SECRET, WebhookReceiver
from tests.fakes.worker import run_tasks, run_until
from watchkeeper.incidents import services as incidents
from watchkeeper.notifications import services as notifications
from watchkeeper.notifications.models import Audience, Delivery, Status

pytest_plugins = ["tests.fakes.fixtures"]
pytestmark = pytest.mark.django_db(transaction=True)

# Single words, so they would show through URL, JSON or MIME encoding alike.
TITLE = "Zanzibar"
DESCRIPTION = "Marmalade"
UPDATE = "Quokka"
STATUS_NOTE = "Tangerine"
SECRETS = (TITLE, DESCRIPTION, UPDATE, STATUS_NOTE)
START = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)


@pytest.fixture
def admin():
    return make_user("root", "admin")


@pytest.fixture
def slack_webhook() -> Iterator[FakeServer]:
    server = FakeServer()
    yield server
    server.close()


@pytest.fixture
def security_receiver() -> Iterator[WebhookReceiver]:
    server = WebhookReceiver(WEBHOOK_SECRET)
    yield server
    server.close()


def mail_text(message: Message) -> str:
    """Headers and every part decoded, so base64 or quoted-printable bodies cannot hide a word."""
    parts = [str(message)]
    parts += [part.get_payload(decode=True).decode() for part in message.walk() if not part.is_multipart()]
    return "\n".join(parts)


def run_a_restricted_incident(lead, service, **fields) -> object:
    incident = make_incident(
        lead,
        service,
        title=f"{TITLE} payroll export",
        description=DESCRIPTION,
        type="security_incident",
        priority="P1",
        take_lead=True,
        **fields,
    )
    incidents.post_update(lead, incident, f"{UPDATE} found in the logs")
    incidents.change_status(lead, incident, "identified", STATUS_NOTE)
    run_tasks()
    return incident


def test_no_channel_outside_the_security_route_hears_any_detail(
    admin, smtp, slack, notify, receiver, teams, slack_webhook, security_receiver
) -> None:
    channels = [
        notifications.create_channel(admin, name="slack", kind="slack", target="#incidents"),
        notifications.create_channel(
            admin, name="slack-hook", kind="slack_webhook", target=f"{slack_webhook.url}/T0/B0"
        ),
        notifications.create_channel(admin, name="teams", kind="teams", target=f"{teams.url}/workflows/abc"),
        notifications.create_channel(admin, name="email", kind="email", target="ops@example.gov.uk"),
        notifications.create_channel(
            admin, name="notify-email", kind="notify_email", target="ops@example.gov.uk", template_id=str(uuid.uuid4())
        ),
        notifications.create_channel(
            admin, name="notify-sms", kind="notify_sms", target="07700900123", template_id=str(uuid.uuid4())
        ),
        notifications.create_channel(admin, name="hook", kind="webhook", target=receiver.url, secret=WEBHOOK_SECRET),
    ]
    # Every audience outside the security route, and routes with no audience at all.
    audiences = [Audience.OTHER, Audience.TEAM, Audience.ESCALATION, Audience.OTHER, Audience.TEAM, Audience.OTHER]
    for channel, audience in zip(channels, [*audiences, Audience.ESCALATION], strict=True):
        notifications.create_route(admin, channel=channel, audience=audience)
    inside = notifications.create_channel(
        admin, name="security", kind="webhook", target=security_receiver.url, secret=WEBHOOK_SECRET
    )
    notifications.create_route(admin, channel=inside, audience=Audience.SECURITY, incident_types=[], events=[])
    lead = make_user("lead")
    comms = make_user("comms", email="comms@example.gov.uk")
    with time_machine.travel(START, tick=False) as clock:
        incident = run_a_restricted_incident(lead, make_service(team=make_team(email="team@example.gov.uk")))
        incidents.assign_role(lead, incident, "comms_lead", comms)
        # Slack takes about one message a second per channel.
        run_until(clock, START + timedelta(seconds=10))

    assert not Delivery.objects.exclude(status=Status.SENT).exists()
    sent = {
        "slack": [r.body.decode() for r in slack.requests],
        "slack_webhook": [r.body.decode() for r in slack_webhook.requests],
        "teams": [r.body.decode() for r in teams.requests],
        "email": [mail_text(m) for m in smtp.inbox.messages],
        "notify": [r.body.decode() for r in notify.requests],
        "webhook": [r.body.decode() for r in receiver.requests],
    }
    for kind, bodies in sent.items():
        assert len(bodies) >= 3, f"{kind} heard too little to prove anything"
        for body in bodies:
            assert incident.reference in body, kind
            leaked = [word for word in SECRETS if word in body]
            assert not leaked, f"{kind} was told {leaked}"
            assert "security_incident" not in body and "Security incident" not in body, kind
    assert {m["To"] for m in smtp.inbox.messages} >= {"ops@example.gov.uk"}
    assert {n["kind"] for n in notify.sent} == {"email", "sms"}

    body = next(iter(receiver.received.values()))
    assert body["data"]["withheld"] is True
    assert body["data"]["headline"] == f"A restricted incident needs attention: {incident.reference}"
    assert body["data"]["incident"]["url"].endswith(f"/incidents/{incident.reference}/")
    assert body["data"]["incident"]["priority"] is None and body["data"]["details"] == {}

    # The security route is where the details go.
    inside_bodies = list(security_receiver.received.values())
    assert any(TITLE in b["data"]["incident"]["title"] for b in inside_bodies)
    assert any(UPDATE in b["data"]["text"] for b in inside_bodies)
    assert all(b["data"]["withheld"] is False for b in inside_bodies)


def test_a_channel_on_the_security_route_and_another_hears_the_details(admin, receiver) -> None:
    shared = notifications.create_channel(admin, name="sec", kind="webhook", target=receiver.url, secret=WEBHOOK_SECRET)
    notifications.create_route(admin, channel=shared, audience=Audience.TEAM)
    notifications.create_route(admin, channel=shared, audience=Audience.SECURITY)
    run_a_restricted_incident(make_user("lead"), make_service())
    declared = [b for b in receiver.received.values() if b["type"] == "incident.declared"]
    assert len(declared) == 1 and TITLE in declared[0]["data"]["incident"]["title"]


def test_people_told_directly_get_no_details_either(admin, smtp, receiver) -> None:
    """The comms lead hears of a failed delivery by email, which is outside the security route too."""
    hook = notifications.create_channel(admin, name="hook", kind="webhook", target=receiver.url, secret=WEBHOOK_SECRET)
    notifications.create_route(admin, channel=hook)
    receiver.fail_next(Failure(400))
    lead = make_user("lead")
    comms = make_user("comms")
    incident = make_incident(lead, title=TITLE, type="personal_data_breach", priority="P2", take_lead=True)
    incidents.assign_role(lead, incident, "comms_lead", comms)
    run_tasks()
    notices = [m for m in smtp.inbox.messages if m["To"] == "comms@example.gov.uk"]
    assert len(notices) == 1
    assert notices[0]["Subject"] == f"A restricted incident needs attention: {incident.reference}"
    assert TITLE not in mail_text(notices[0]) and "could not send" not in mail_text(notices[0])


def test_unrestricted_incidents_are_unaffected(admin, receiver) -> None:
    hook = notifications.create_channel(admin, name="hook", kind="webhook", target=receiver.url, secret=WEBHOOK_SECRET)
    notifications.create_route(admin, channel=hook)
    incident = make_incident(title=TITLE, priority="P2")
    run_tasks()
    [body] = receiver.received.values()
    assert body["data"]["withheld"] is False
    assert body["data"]["incident"]["title"] == TITLE and body["data"]["incident"]["priority"] == "P2"
    assert body["data"]["headline"] == f"{incident.reference} declared: {TITLE}"

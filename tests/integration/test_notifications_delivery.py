"""Routing and delivery against real receivers: SMTP, a signed-webhook receiver, a Slack Web API fake."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from tests.factories import make_incident, make_service, make_team, make_user
from tests.fakes.http import Failure
from tests.fakes.webhooks import WEBHOOK_SECRET
from tests.fakes.worker import run_tasks, run_until
from watchkeeper.domain.workflow import Step
from watchkeeper.incidents import services as incidents
from watchkeeper.notifications import services as notifications
from watchkeeper.notifications.channels import parse_retry_after
from watchkeeper.notifications.delivery import attempt
from watchkeeper.notifications.models import Audience, Delivery, Status

pytest_plugins = ["tests.fakes.fixtures"]
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def admin():
    return make_user("root", "admin")


def webhook_channel(admin, receiver, name="hook"):
    return notifications.create_channel(admin, name=name, kind="webhook", target=receiver.url, secret=WEBHOOK_SECRET)


def test_a_declaration_reaches_a_signed_webhook_once_and_is_on_the_timeline(admin, receiver) -> None:
    channel = webhook_channel(admin, receiver)
    notifications.create_route(admin, channel=channel)
    incident = make_incident(priority="P1", title="Payments failing")
    delivery = Delivery.objects.get(incident=incident, channel=channel)
    assert delivery.status == Status.PENDING
    run_tasks()
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT and delivery.attempts == 1
    assert list(receiver.received) == [delivery.key]
    body = receiver.received[delivery.key]
    assert body["type"] == "incident.declared"
    assert body["data"]["incident"]["reference"] == incident.reference
    assert body["data"]["incident"]["priority"] == "P1"
    assert receiver.rejected == 0
    entry = incident.timeline.get(kind="notification")
    assert "Sent to hook" in entry.text
    run_tasks()  # nothing left to do: a sent delivery is never sent again
    assert receiver.deliveries == 1


def test_nothing_is_sent_for_a_change_that_rolled_back(admin, receiver) -> None:
    notifications.create_route(admin, channel=webhook_channel(admin, receiver))
    service = make_service()
    actor = make_user()
    with pytest.raises(RuntimeError), transaction.atomic():
        make_incident(actor, service)
        raise RuntimeError("the declaration fails after the event was published")
    assert not Delivery.objects.exists()
    # Other apps queue their own work (the status page's nightly refresh); no delivery task survived.
    assert not DBTaskResult.objects.filter(task_path__startswith="watchkeeper.notifications").exists()


def test_team_email_threads_per_incident_and_ticks_team_informed(smtp) -> None:
    service = make_service(team=make_team(email="pay-team@example.gov.uk"))
    lead = make_user()
    incident = make_incident(lead, service, priority="P2", take_lead=True)
    incidents.post_update(lead, incident, "We have found the cause")
    run_tasks()
    messages = smtp.inbox.messages
    subjects = [m["Subject"] for m in messages]
    assert any("declared" in s for s in subjects) and any("update" in s for s in subjects)
    root = next(m for m in messages if "declared" in m["Subject"])["Message-ID"]
    update = next(m for m in messages if "update" in m["Subject"])
    assert update["In-Reply-To"] == root and update["References"] == root
    assert {part.get_content_type() for part in update.walk()} >= {"text/plain", "text/html"}
    assert "We have found the cause" in update.get_payload()[0].get_payload(decode=True).decode()
    assert incident.checklist.filter(step=Step.TEAM_INFORMED.value).exists()


def test_slack_threads_later_events_and_keeps_the_first_message_current(admin, slack) -> None:
    channel = notifications.create_channel(admin, name="incidents", kind="slack", target="#incidents")
    notifications.create_route(admin, channel=channel, audience=Audience.WIDER)
    lead = make_user()
    start = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        incident = make_incident(lead, priority="P1")
        run_tasks()
        incidents.change_status(lead, incident, "identified", "found it")
        run_tasks()
        assert len(slack.messages) == 1, "Slack allows about one message a second per channel"
        run_until(clock, start + timedelta(seconds=2))
    first, reply = slack.messages[0], slack.messages[1]
    assert "thread_ts" not in first and reply["thread_ts"] == first["ts"]
    assert first["blocks"][0]["type"] == "header"
    assert slack.updates[-1]["ts"] == first["ts"]
    assert "Identified" in str(slack.updates[-1]["blocks"])
    assert incident.checklist.filter(step=Step.WIDER_AUDIENCE_TOLD.value).exists()


def test_transient_failures_are_retried_with_backoff_honouring_retry_after(admin, receiver, fast_retries) -> None:
    notifications.create_route(admin, channel=webhook_channel(admin, receiver))
    receiver.fail_next(Failure(500), Failure(429, headers={"Retry-After": "30"}), Failure(503))
    start = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        incident = make_incident(priority="P1")
        run_tasks()
        delivery = Delivery.objects.get(incident=incident)
        assert delivery.status == Status.PENDING and "HTTP 500" in delivery.last_error
        run_until(clock, start + timedelta(seconds=5))
        delivery.refresh_from_db()
        assert delivery.attempts == 2 and "HTTP 429" in delivery.last_error
        run_until(clock, start + timedelta(seconds=29))
        delivery.refresh_from_db()
        assert delivery.attempts == 2, "retried before Retry-After allowed"
        run_until(clock, start + timedelta(minutes=5))
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT and delivery.attempts == 4
    assert list(receiver.received) == [delivery.key]


def test_retry_after_as_an_http_date_is_honoured(admin, receiver, fast_retries) -> None:
    notifications.create_route(admin, channel=webhook_channel(admin, receiver))
    start = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
    # RFC 9110: Retry-After may be an IMF-fixdate instead of seconds.
    receiver.fail_next(
        Failure(503, headers={"Retry-After": format_datetime(start + timedelta(minutes=2), usegmt=True)})
    )
    with time_machine.travel(start, tick=False) as clock:
        incident = make_incident(priority="P1")
        run_tasks()
        delivery = Delivery.objects.get(incident=incident)
        assert delivery.status == Status.PENDING and "HTTP 503" in delivery.last_error
        run_until(clock, start + timedelta(seconds=119))
        delivery.refresh_from_db()
        assert delivery.attempts == 1, "retried before the Retry-After date"
        run_until(clock, start + timedelta(minutes=3))
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT and delivery.attempts == 2


def test_retry_after_readings() -> None:
    now = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
    with time_machine.travel(now, tick=False):
        assert parse_retry_after("30") == 30.0
        assert parse_retry_after("Mon, 02 Mar 2026 03:01:30 GMT") == 90.0
        assert parse_retry_after("Mon, 02 Mar 2026 02:00:00 GMT") == 0.0, "a date in the past means now"
        assert parse_retry_after("Monday, 02-Mar-26 03:00:10 GMT") == 10.0, "the obsolete RFC 850 form"
        assert parse_retry_after("soon") is None
        assert parse_retry_after(None) is None


def test_a_timeout_is_transient(admin, receiver, fast_retries) -> None:
    notifications.create_route(admin, channel=webhook_channel(admin, receiver))
    receiver.fail_next(Failure(200, delay=1.5))
    start = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        incident = make_incident(priority="P1")
        run_tasks()
        delivery = Delivery.objects.get(incident=incident)
        assert delivery.status == Status.PENDING and "timed out" in delivery.last_error
        run_until(clock, start + timedelta(minutes=1))
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT and len(receiver.received) == 1


def test_a_permanent_failure_is_not_retried_and_the_comms_lead_is_told(admin, receiver, smtp) -> None:
    notifications.create_route(admin, channel=webhook_channel(admin, receiver))
    receiver.fail_next(Failure(400, body=b'{"error": "unknown field"}'))
    comms = make_user("carol", email="carol@example.gov.uk")
    lead = make_user()
    incident = make_incident(lead, priority="P1")
    incidents.assign_role(lead, incident, "comms_lead", comms)
    run_tasks()
    failed = Delivery.objects.get(incident=incident, channel__isnull=False, event="incident.declared")
    assert failed.status == Status.FAILED and failed.attempts == 1 and "HTTP 400" in failed.last_error
    assert incident.timeline.filter(kind="notification", text__contains="Could not send to hook").exists()
    notice = [m for m in smtp.inbox.messages if m["To"] == "carol@example.gov.uk"]
    assert len(notice) == 1 and "could not be delivered" in notice[0]["Subject"]


def test_after_the_last_attempt_the_delivery_is_failed(admin, receiver, settings) -> None:
    settings.NOTIFICATIONS = {**settings.NOTIFICATIONS, "MAX_ATTEMPTS": 3, "BACKOFF_SECONDS": 1}
    notifications.create_route(admin, channel=webhook_channel(admin, receiver))
    receiver.fail_next(*[Failure(502)] * 5)
    start = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        incident = make_incident(priority="P2")
        run_until(clock, start + timedelta(minutes=10))
    delivery = Delivery.objects.get(incident=incident, channel__isnull=False)
    assert delivery.status == Status.FAILED and delivery.attempts == 3
    assert not receiver.received


def test_a_sent_message_costs_ten_queries_and_leaves_no_lease_check_queued(admin, receiver) -> None:
    notifications.create_route(admin, channel=webhook_channel(admin, receiver), events=["incident.declared"])
    incident = make_incident(priority="P1")
    row = Delivery.objects.get(incident=incident, channel__isnull=False)
    queued = set(DBTaskResult.objects.filter(status="READY").values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as queries:
        attempt(row.pk, 1)
    row.refresh_from_db()
    assert row.status == Status.SENT and list(receiver.received) == [row.key]
    # Claim and record, each one transaction; the lease check scheduled by the claim is gone with it.
    assert len(queries) <= 10, "\n".join(query["sql"][:120] for query in queries.captured_queries)
    assert set(DBTaskResult.objects.filter(status="READY").values_list("pk", flat=True)) == queued

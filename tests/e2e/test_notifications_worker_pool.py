"""One worker sends several deliveries at once, never more than WATCHKEEPER_DELIVERY_CONCURRENCY, and a failing one
is still retried and finally reported to the comms lead.

Real worker processes (`watchkeeper worker`) against PostgreSQL, with receivers that are real local servers.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Iterator
from email.message import Message

import pytest
from django.conf import settings
from django.db import connection

from tests.e2e.test_notifications_worker_kill import WATCHKEEPER, wait_for
from tests.factories import make_incident, make_user
from tests.fakes.http import Failure
from tests.fakes.smtp import SmtpServer
from tests.fakes.webhooks import WEBHOOK_SECRET, WebhookReceiver
from watchkeeper.incidents import services as incidents
from watchkeeper.notifications import services as notifications
from watchkeeper.notifications.models import Delivery, Status

pytest_plugins = ["tests.fakes.fixtures"]
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="worker processes need a shared PostgreSQL database"),
    pytest.mark.usefixtures("allow_private_endpoints"),  # the receivers listen on 127.0.0.1
]
Start = Callable[..., subprocess.Popen[bytes]]


@pytest.fixture
def start_worker() -> Iterator[Start]:
    db = connection.settings_dict
    base = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "SECRET_KEY": settings.SECRET_KEY,
        "WATCHKEEPER_ALLOW_PRIVATE_ENDPOINTS": "true",
    }
    workers: list[subprocess.Popen[bytes]] = []

    def start(interval: str = "0.1", **env: str) -> subprocess.Popen[bytes]:
        worker = subprocess.Popen([str(WATCHKEEPER), "worker", "--interval", interval], env={**base, **env})
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.terminate()
        worker.wait(10)


def hooks(receiver: WebhookReceiver, count: int, events: tuple[str, ...] = ()) -> None:
    admin = make_user("root", "admin")
    for number in range(count):
        channel = notifications.create_channel(
            admin, name=f"hook-{number}", kind="webhook", target=f"{receiver.url}/{number}", secret=WEBHOOK_SECRET
        )
        notifications.create_route(admin, channel=channel, **({"events": list(events)} if events else {}))


def test_a_worker_sends_as_many_at_once_as_its_concurrency_and_no_more(start_worker: Start) -> None:
    receiver = WebhookReceiver(WEBHOOK_SECRET, latency=0.5)
    try:
        hooks(receiver, 10)
        incident = make_incident(priority="P1")
        keys = set(Delivery.objects.filter(incident=incident).values_list("key", flat=True))
        start_worker(WATCHKEEPER_DELIVERY_CONCURRENCY="4")
        sent = Delivery.objects.filter(incident=incident, status=Status.SENT)
        wait_for(lambda: sent.count() == 10, 60, "all 10 sent")
        assert receiver.most_in_flight == 4
        assert set(receiver.received) == keys and receiver.deliveries == 10, "each message once"
    finally:
        receiver.close()


def test_an_idle_worker_sends_a_new_incident_at_once_not_at_its_next_poll(start_worker: Start) -> None:
    receiver = WebhookReceiver(WEBHOOK_SECRET)
    try:
        hooks(receiver, 1, events=("incident.declared",))
        first = make_incident(priority="P1", title="Before the worker started")
        start_worker(interval="120")
        # Once the first incident is sent the worker has found nothing more and waits out its two-minute poll.
        sent = Delivery.objects.filter(status=Status.SENT)
        wait_for(lambda: sent.filter(incident=first).exists(), 60, "the first incident to be sent")
        time.sleep(0.5)
        second = make_incident(priority="P1", title="Declared while the worker is idle")
        wait_for(lambda: sent.filter(incident=second).exists(), 20, "the second incident without waiting for the poll")
        assert receiver.deliveries == 2
    finally:
        receiver.close()


def test_a_failing_delivery_is_retried_then_shown_to_the_comms_lead(start_worker: Start) -> None:
    receiver = WebhookReceiver(WEBHOOK_SECRET)
    smtp = SmtpServer()
    try:
        hooks(receiver, 1, events=("incident.declared",))
        receiver.fail_next(Failure(502), Failure(502))
        lead, comms = make_user(), make_user("carol", email="carol@example.gov.uk")
        incident = make_incident(lead, priority="P1")
        incidents.assign_role(lead, incident, "comms_lead", comms)
        start_worker(
            WATCHKEEPER_DELIVERY_MAX_ATTEMPTS="2",
            WATCHKEEPER_DELIVERY_BACKOFF_SECONDS="0.2",
            EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}",
        )

        def told() -> list[Message]:
            return [message for message in smtp.inbox.messages if message["To"] == "carol@example.gov.uk"]

        wait_for(lambda: bool(told()), 60, "the comms lead to be told")
        failed = Delivery.objects.get(incident=incident, channel__isnull=False, event="incident.declared")
        assert failed.status == Status.FAILED and failed.attempts == 2 and "HTTP 502" in failed.last_error
        assert incident.timeline.filter(kind="notification", text__contains="Could not send to hook-0").exists()
        assert len(told()) == 1 and "could not be delivered" in told()[0]["Subject"]
        assert not receiver.received
    finally:
        receiver.close()
        smtp.stop()

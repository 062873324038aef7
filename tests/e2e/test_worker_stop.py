"""`watchkeeper worker` on SIGTERM finishes the task in hand, or hands it back when it runs on, and says which.

Real worker processes against PostgreSQL, a webhook receiver holding the request so the task is in hand.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator

import pytest
from django.conf import settings
from django.db import connection
from django_tasks_db.models import DBTaskResult

from tests.e2e.test_notifications_worker_kill import WATCHKEEPER, wait_for
from tests.factories import make_incident, make_user
from tests.fakes.webhooks import WEBHOOK_SECRET, WebhookReceiver
from watchkeeper.notifications import services as notifications
from watchkeeper.notifications.models import Delivery, Status

pytest_plugins = ["tests.fakes.fixtures"]
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="worker processes need a shared PostgreSQL database"),
    pytest.mark.usefixtures("allow_private_endpoints"),  # the receiver listens on 127.0.0.1
]
Start = Callable[[], subprocess.Popen[str]]


@pytest.fixture
def start_worker() -> Iterator[Start]:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "SECRET_KEY": settings.SECRET_KEY,
        "WATCHKEEPER_DELIVERY_TIMEOUT_SECONDS": "30",
        "WATCHKEEPER_DELIVERY_LEASE_SECONDS": "4",
        "WATCHKEEPER_ALLOW_PRIVATE_ENDPOINTS": "true",
    }
    workers: list[subprocess.Popen[str]] = []

    def start() -> subprocess.Popen[str]:
        worker = subprocess.Popen(
            [str(WATCHKEEPER), "worker", "--interval", "0.1"], env=env, stderr=subprocess.PIPE, text=True
        )
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        if worker.poll() is None:
            worker.kill()
            worker.wait(10)


def one_webhook_delivery(receiver: WebhookReceiver) -> Delivery:
    admin = make_user("root", "admin")
    channel = notifications.create_channel(
        admin, name="hook", kind="webhook", target=f"{receiver.url}/hook", secret=WEBHOOK_SECRET
    )
    notifications.create_route(admin, channel=channel)
    return Delivery.objects.get(incident=make_incident(priority="P1"))


def stop(worker: subprocess.Popen[str]) -> tuple[float, str]:
    started = time.monotonic()
    worker.send_signal(signal.SIGTERM)
    _, err = worker.communicate(timeout=10)
    return time.monotonic() - started, err


def test_sigterm_mid_task_finishes_it_first(start_worker: Start) -> None:
    receiver = WebhookReceiver(WEBHOOK_SECRET, latency=2)
    try:
        delivery = one_webhook_delivery(receiver)
        worker = start_worker()
        wait_for(lambda: receiver.deliveries == 1, 60, "the message to arrive")
        took, err = stop(worker)
        assert worker.returncode == 0 and took < 10
        assert "Traceback" not in err and "SystemExit" not in err, err
        lines = [line for line in err.splitlines() if line.startswith("Worker stopped")]
        assert len(lines) == 1 and lines[0].startswith("Worker stopped on SIGTERM: finished task "), err
        delivery.refresh_from_db()
        assert delivery.status == Status.SENT and delivery.attempts == 1
        assert receiver.deliveries == 1  # done once
        assert not DBTaskResult.objects.filter(status="RUNNING").exists()
        assert not DBTaskResult.objects.filter(status="FAILED").exists()
    finally:
        receiver.close()


def test_a_task_that_runs_on_is_released_and_another_worker_finishes_it(start_worker: Start) -> None:
    receiver = WebhookReceiver(WEBHOOK_SECRET, latency=25)
    try:
        delivery = one_webhook_delivery(receiver)
        worker = start_worker()
        wait_for(lambda: receiver.deliveries == 1, 60, "the message to arrive")
        took, err = stop(worker)
        assert worker.returncode == 0 and took < 10
        assert "Traceback" not in err and "SystemExit" not in err, err
        lines = [line for line in err.splitlines() if line.startswith("Worker stopped")]
        assert len(lines) == 1 and "released task" in lines[0] and "back to the queue" in lines[0], err
        assert not DBTaskResult.objects.filter(status__in=["RUNNING", "FAILED"]).exists()  # nothing lost

        receiver.latency = 0
        start_worker()
        wait_for(lambda: Delivery.objects.get(pk=delivery.pk).status == Status.SENT, 60, "the message to be sent")
        assert list(receiver.received) == [delivery.key]  # the same message id: a receiver sees it once
    finally:
        receiver.close()

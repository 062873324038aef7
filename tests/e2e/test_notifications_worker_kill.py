"""A worker killed mid-delivery loses nothing: after a restart every message arrives exactly once.

Real worker processes (`watchkeeper worker`) against PostgreSQL, one SIGKILLed while a receiver holds its request.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.factories import make_incident, make_user
from tests.fakes.webhooks import WEBHOOK_SECRET, WebhookReceiver
from watchkeeper.notifications import services as notifications
from watchkeeper.notifications.models import Delivery, Status

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="worker processes need a shared PostgreSQL database"),
]
WATCHKEEPER = Path(sys.executable).with_name("watchkeeper")


def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def start_worker() -> Iterator[Callable[[], subprocess.Popen[bytes]]]:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "SECRET_KEY": settings.SECRET_KEY,
        "WATCHKEEPER_DELIVERY_TIMEOUT_SECONDS": "3",
        "WATCHKEEPER_DELIVERY_LEASE_SECONDS": "4",
        # The receiver is on 127.0.0.1, which channels refuse unless private addresses are allowed.
        "WATCHKEEPER_ALLOW_PRIVATE_ENDPOINTS": "true",
    }
    workers: list[subprocess.Popen[bytes]] = []

    def start() -> subprocess.Popen[bytes]:
        worker = subprocess.Popen([str(WATCHKEEPER), "worker", "--interval", "0.1"], env=env)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        if worker.poll() is None:
            worker.terminate()
            worker.wait(10)


def test_killed_worker_then_restart_delivers_every_message_exactly_once(start_worker, settings) -> None:
    settings.WATCHKEEPER_ALLOW_PRIVATE_ENDPOINTS = True
    receiver = WebhookReceiver(WEBHOOK_SECRET, latency=1.5)
    try:
        admin = make_user("root", "admin")
        for number in range(3):
            channel = notifications.create_channel(
                admin, name=f"hook-{number}", kind="webhook", target=f"{receiver.url}/{number}", secret=WEBHOOK_SECRET
            )
            notifications.create_route(admin, channel=channel)
        incident = make_incident(priority="P1")
        keys = set(Delivery.objects.filter(incident=incident).values_list("key", flat=True))
        assert len(keys) == 3

        doomed = start_worker()
        # The worker sends all three at once: each is held by the receiver when the worker dies.
        wait_for(lambda: receiver.deliveries >= 3, 30, "all three messages to arrive")
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(10)
        assert Delivery.objects.filter(status=Status.SENDING).count() == 3

        start_worker()
        wait_for(lambda: Delivery.objects.filter(incident=incident, status=Status.SENT).count() == 3, 60, "all 3 sent")
        assert set(receiver.received) == keys, "every message arrived, each id once"
        for interrupted in Delivery.objects.filter(incident=incident):
            assert interrupted.attempts == 2 and "interrupted" in interrupted.last_error
        assert receiver.rejected == 0
    finally:
        receiver.close()

"""A worker SIGKILLed mid-escalation: the next step still fires, on time, from another worker.

Real `watchkeeper worker` processes against PostgreSQL and the local GOV.UK Notify fake. The first worker is
killed while it is sending step 1's text message (the fake holds the request); a second worker, started
afterwards, re-sends that message when its lease runs out and fires step 2 when step 1's wait is over.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.db import connection

from tests.e2e.test_notifications_worker_kill import wait_for
from tests.factories import make_contact, make_policy, make_user
from tests.fakes.http import Reply, Request
from tests.fakes.notify import API_KEY, FakeNotify
from watchkeeper.oncall import services as oncall
from watchkeeper.oncall.models import NotificationStatus, PageNotification

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="worker processes need a shared PostgreSQL database"),
]
WATCHKEEPER = Path(sys.executable).with_name("watchkeeper")
TEMPLATE = "f33517ff-2a88-4f6e-b855-c550268ce08a"


class SlowNotify(FakeNotify):
    """Holds the first text message for a few seconds, long enough to kill the worker sending it."""

    def __init__(self) -> None:
        self.arrived: list[tuple[str, float]] = []
        self.holding = threading.Event()
        super().__init__()

    def reply(self, request: Request) -> Reply:
        if not self.arrived and not self.holding.is_set():
            self.holding.set()
            time.sleep(3)
            return (503, {}, b"")  # the killed worker never reads this
        answer = super().reply(request)
        self.arrived.append((request.json()["phone_number"], time.time()))
        return answer


@pytest.fixture
def notify() -> Iterator[SlowNotify]:
    server = SlowNotify()
    yield server
    server.close()


def worker_env(notify: FakeNotify, **extra: str) -> dict[str, str]:
    """A worker process's environment: this test database, and text messages through the Notify fake."""
    db = connection.settings_dict
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "SECRET_KEY": settings.SECRET_KEY,
        "NOTIFY_BASE_URL": notify.url,
        "NOTIFY_API_KEY": API_KEY,
        "WATCHKEEPER_ONCALL_SMS_TEMPLATE_ID": TEMPLATE,
        **extra,
    }


@pytest.fixture
def start_worker(notify: SlowNotify) -> Iterator[Callable[[], subprocess.Popen[bytes]]]:
    env = worker_env(notify, WATCHKEEPER_DELIVERY_TIMEOUT_SECONDS="5", WATCHKEEPER_DELIVERY_LEASE_SECONDS="6")
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


def test_the_next_step_fires_after_the_worker_running_the_escalation_is_killed(notify, start_worker) -> None:
    first, second = make_user("first"), make_user("second")
    make_contact(first, "sms", "07700900001")
    make_contact(second, "sms", "07700900002")
    policy = make_policy(
        [{"ack_timeout_minutes": 1, "targets": [{"user": "first"}]}, {"targets": [{"user": "second"}]}]
    )
    # Triggered "20 seconds ago" (this process only), so step 1's minute is over 40 real seconds from now.
    with time_machine.travel(datetime.now(UTC) - timedelta(seconds=20), tick=True):
        page = oncall.trigger_page(summary="Payments failing", policy=policy)
    step_2_due = page.triggered_at + timedelta(minutes=1)

    doomed = start_worker()
    # A worker's first task imports the URLs (for the links in messages): slow on a busy machine.
    assert notify.holding.wait(120), "the first worker started sending step 1"
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(10)
    start_worker()

    wait_for(lambda: any(number == "07700900002" for number, _ in notify.arrived), 240, "step 2's text message")
    wait_for(lambda: "07700900001" in dict(notify.arrived), 30, "step 1's message, re-sent")
    arrived = dict(notify.arrived)
    # Late is counted from when step 2 was due, or from when the new worker was up (its first act is re-sending
    # step 1 when that lease runs out), whichever is later: booting a worker on a busy machine is not escalation.
    working = max(step_2_due.timestamp(), arrived["07700900001"])
    late = arrived["07700900002"] - working
    print(f"step 2 fired {late:.1f} s after it was due with a worker running")
    assert late < 60, "step 2 fired at most a minute late"
    resent = PageNotification.objects.get(page=page, user=first)
    assert resent.status == NotificationStatus.SENT and resent.attempts == 2 and "interrupted" in resent.last_error
    assert list(page.events.filter(kind="escalated").values_list("kind", flat=True)) == ["escalated"]

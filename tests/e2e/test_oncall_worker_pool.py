"""A page's notifications go out side by side on the worker's sending pool, as incident deliveries do, so a page is
never queued behind the main loop's longer tasks.

A real `watchkeeper worker` against PostgreSQL and the local GOV.UK Notify fake, which holds each text message.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator

import pytest
from django.db import connection

from tests.e2e.test_notifications_worker_kill import WATCHKEEPER, wait_for
from tests.e2e.test_oncall_worker_kill import worker_env
from tests.factories import make_contact, make_policy, make_user
from tests.fakes.http import Reply, Request
from tests.fakes.notify import FakeNotify
from watchkeeper.oncall import services as oncall
from watchkeeper.oncall.models import NotificationStatus, PageNotification

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="worker processes need a shared PostgreSQL database"),
]


class SlowNotify(FakeNotify):
    def reply(self, request: Request) -> Reply:
        time.sleep(1)
        return super().reply(request)


@pytest.fixture
def notify() -> Iterator[SlowNotify]:
    server = SlowNotify()
    yield server
    server.close()


def test_one_worker_sends_a_pages_notifications_at_once(notify: SlowNotify) -> None:
    people = [make_user(f"person{n}") for n in range(4)]
    for n, person in enumerate(people):
        make_contact(person, "sms", f"0770090000{n}")
    policy = make_policy([{"targets": [{"user": person.username} for person in people]}])
    page = oncall.trigger_page(summary="Payments failing", policy=policy)
    env = worker_env(notify, WATCHKEEPER_DELIVERY_CONCURRENCY="3")
    worker = subprocess.Popen([str(WATCHKEEPER), "worker", "--interval", "0.1"], env=env)
    try:
        sent = PageNotification.objects.filter(page=page, status=NotificationStatus.SENT)
        wait_for(lambda: sent.count() == 4, 120, "all four text messages sent")
    finally:
        worker.terminate()
        worker.wait(10)
    assert notify.most_in_flight == 3, "three at once: the pool's size, and no more"
    assert sorted(request.json()["phone_number"] for request in notify.requests) == [
        f"0770090000{n}" for n in range(4)
    ], "each person's message once"

"""1,000 acknowledge races on PostgreSQL: a send and an escalation timer against an acknowledgement, in threads.

Each race starts a notification's send, the step's timer and an acknowledgement at the same instant (a barrier),
then lets every notification left over try again, as workers would. Whatever interleaving the database allows,
no message may reach GOV.UK Notify (the local fake, which records when each arrives) after the acknowledgement.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection, connections

from tests.factories import make_contact, make_policy, make_user
from tests.fakes.http import Reply, Request
from tests.fakes.notify import API_KEY, FakeNotify
from watchkeeper.oncall import services as oncall
from watchkeeper.oncall.models import NotificationStatus, Page
from watchkeeper.oncall.services import escalation, sending

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]
RACES = int(os.environ.get("WATCHKEEPER_ACK_RACES", "1000"))
THREADS = 24


class TimedNotify(FakeNotify):
    """Notify that also records when each message arrived, by its reference (the notification's key)."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        super().__init__()

    def reply(self, request: Request) -> Reply:
        answer = super().reply(request)
        if answer[0] == 201:
            self.arrived[request.json()["reference"]] = time.time()
        return answer


@pytest.fixture
def notify(settings: Any) -> Iterator[TimedNotify]:
    server = TimedNotify()
    settings.NOTIFY_BASE_URL = server.url
    settings.NOTIFY_API_KEY = API_KEY
    settings.ONCALL = {**settings.ONCALL, "NOTIFY_SMS_TEMPLATE_ID": "f33517ff-2a88-4f6e-b855-c550268ce08a"}
    yield server
    server.close()


def close_connections(pool: ThreadPoolExecutor, threads: int) -> None:
    """Each pool thread keeps its own connection across races (connecting is the slow part); close them all."""
    barrier = threading.Barrier(threads)

    def close() -> None:
        barrier.wait()  # one call per thread: none can take a second while the others wait
        connections.close_all()

    for future in [pool.submit(close) for _ in range(threads)]:
        future.result()


def race(pool: ThreadPoolExecutor, page: Page, acker: Any) -> list[Future[None]]:
    """A send, the step's timer and an acknowledgement, released together by a barrier."""
    barrier = threading.Barrier(3)
    row_id = page.notifications.values_list("pk", flat=True).get()
    pause = random.uniform(0, 0.02)  # sometimes the send gets going first, sometimes the acknowledgement

    def send() -> None:
        barrier.wait()
        sending.attempt(row_id, 1)

    def escalate() -> None:
        barrier.wait()
        escalation.fire(page.pk, 0, 0)

    def ack() -> None:
        barrier.wait()
        time.sleep(pause)
        oncall.acknowledge_page(page, user=acker, via="api")

    return [pool.submit(work) for work in (send, escalate, ack)]


def leftovers(page: Page) -> None:
    """Workers picking up whatever notification is left, after the race."""
    for later in page.notifications.all():
        sending.attempt(later.pk, later.attempts + 1)


def test_no_notification_reaches_anyone_after_the_acknowledgement(notify: TimedNotify) -> None:
    first, second, acker = make_user("first"), make_user("second"), make_user("acker")
    make_contact(first, "sms", "07700900001")
    make_contact(second, "sms", "07700900002")
    policy = make_policy(
        [{"ack_timeout_minutes": 1, "targets": [{"user": "first"}]}, {"targets": [{"user": "second"}]}]
    )
    # The database's latency, not the CPU, sets the pace: several races run at once, each on its own rows.
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        pages = list(pool.map(lambda _: oncall.trigger_page(summary="Race", policy=policy), range(RACES)))
        wave = THREADS // 3
        for start in range(0, RACES, wave):
            futures = [f for page in pages[start : start + wave] for f in race(pool, page, acker)]
            for future in futures:
                future.result()
        list(pool.map(leftovers, pages))
        close_connections(pool, THREADS)
    sent_before = late = 0
    for page in Page.objects.prefetch_related("notifications"):
        acknowledged = page.acknowledged_at.timestamp()
        sent_before += sum(1 for n in page.notifications.all() if n.status == NotificationStatus.SENT)
        late += sum(1 for n in page.notifications.all() if notify.arrived.get(n.key, 0) > acknowledged)
    assert Page.objects.filter(status="acknowledged").count() == RACES
    assert late == 0, f"{late} notification(s) arrived after the acknowledgement"
    assert 0 < sent_before < 2 * RACES, "the races went both ways: some sends won, some acknowledgements did"
    print(f"\n{RACES} races: {sent_before} sent before the acknowledgement, {late} after")

"""A delivery's task is marked successful in the transaction that records what the send did, not in one more."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from tests.factories import make_incident, make_user
from tests.fakes.webhooks import WEBHOOK_SECRET
from watchkeeper.notifications import delivery as delivery_module
from watchkeeper.notifications import services as notifications
from watchkeeper.notifications.models import Channel, Delivery, Status
from watchkeeper.task_claim import Claim, ready_at
from watchkeeper.worker import Worker

pytest_plugins = ["tests.fakes.fixtures"]
pytestmark = pytest.mark.django_db(transaction=True)


def _claim_delivery_task(worker: Worker) -> DBTaskResult:
    task = Claim(lambda now: ready_at(now).filter(task_path="watchkeeper.notifications.tasks.deliver")).next(
        worker.worker_id
    )
    assert task is not None
    return task


def _transactions(queries: list[dict[str, Any]]) -> list[list[str]]:
    """The statements of each transaction that wrote, in order; a write in autocommit is a transaction of its own."""
    writes = ("UPDATE", "INSERT", "DELETE")
    groups: list[list[str]] = []
    current: list[str] | None = None
    for query in queries:
        sql = query["sql"].strip()
        word = sql.split()[0].upper()
        if word == "BEGIN":
            current = []
        elif word == "COMMIT" and current is not None:
            if any(statement.startswith(writes) for statement in current):
                groups.append(current)
            current = None
        elif current is not None:
            current.append(sql)
        elif sql.startswith(writes):
            groups.append([sql])
    return groups


def _routed_webhook(receiver: Any) -> Channel:
    admin = make_user("root", "admin")
    channel = notifications.create_channel(
        admin, name="hook", kind="webhook", target=receiver.url, secret=WEBHOOK_SECRET
    )
    notifications.create_route(admin, channel=channel)
    return channel


def test_a_sent_delivery_marks_its_task_done_in_the_same_transaction(receiver: Any) -> None:
    channel = _routed_webhook(receiver)
    incident = make_incident(priority="P1", title="Payments failing")
    worker = Worker(interval=0.1, concurrency=1)
    task = _claim_delivery_task(worker)
    with CaptureQueriesContext(connection) as captured:
        outcome = worker._execute(task, watched=False)
    assert outcome.startswith("finished")
    row = Delivery.objects.get(incident=incident, channel=channel)
    assert row.status == Status.SENT
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"
    assert task.finished_at == row.sent_at, "marked in the transaction that recorded the send, at its instant"
    writes = _transactions(captured.captured_queries)
    last = writes[-1]
    assert any('"django_tasks_database_dbtaskresult"' in sql and sql.startswith("UPDATE") for sql in last)
    assert any('"notifications_delivery"' in sql and sql.startswith("UPDATE") for sql in last)
    # Claim, then the outcome; the worker adds no write of its own after the task returns.
    assert len(writes) == 2, writes


def test_a_record_that_rolls_back_leaves_the_task_for_the_worker_to_mark(
    receiver: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    channel = _routed_webhook(receiver)
    make_incident(priority="P1", title="Payments failing")
    worker = Worker(interval=0.1, concurrency=1)
    task = _claim_delivery_task(worker)

    def broken_timeline(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the timeline is broken")

    monkeypatch.setattr(delivery_module, "_timeline", broken_timeline)
    outcome = worker._execute(task, watched=False)
    assert "failed" in outcome
    task.refresh_from_db()
    # The success mark rolled back with the record it was part of; the worker recorded the failure instead.
    assert task.status == "FAILED"
    assert "the timeline is broken" in task.traceback
    assert Delivery.objects.get(channel=channel).status == Status.SENDING

"""A worker claims the next ready task in one statement: in the queue's order, once, with its id on the record."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from watchkeeper.notifications import tasks
from watchkeeper.task_claim import Claim, ready_at

pytestmark = pytest.mark.django_db(transaction=True)


def test_claims_ready_tasks_highest_priority_first_each_once() -> None:
    low = tasks.deliver.enqueue(1, 1).id
    high = tasks.deliver.using(priority=10).enqueue(2, 1).id
    claim = Claim(ready_at)

    first = claim.next("worker-a")
    second = claim.next("worker-b")

    assert first is not None and second is not None
    assert (str(first.pk), str(second.pk)) == (high, low)
    assert claim.next("worker-a") is None
    stored = DBTaskResult.objects.get(pk=high)
    assert stored.status == "RUNNING" and stored.started_at is not None
    assert stored.worker_ids == ["worker-a"] and first.worker_ids == ["worker-a"]
    assert first.task_result.args == [2, 1]


def test_one_claim_compiled_once_sees_a_deferred_task_only_once_it_is_due() -> None:
    now = timezone.now()
    deferred = tasks.deliver.using(run_after=now + timedelta(minutes=1)).enqueue(1, 1).id
    claim = Claim(ready_at)

    with time_machine.travel(now, tick=False):
        assert claim.next("worker-a") is None
    with time_machine.travel(now + timedelta(minutes=2), tick=False):
        due = claim.next("worker-a")

    assert due is not None and str(due.pk) == deferred

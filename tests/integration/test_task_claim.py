"""A worker claims the next ready task in one statement: in the queue's order, once, with its id on the record."""

from __future__ import annotations

import pytest
from django_tasks_db.models import DBTaskResult

from watchkeeper.notifications import tasks
from watchkeeper.task_claim import claim_next

pytestmark = pytest.mark.django_db(transaction=True)


def test_claims_ready_tasks_highest_priority_first_each_once() -> None:
    low = tasks.deliver.enqueue(1, 1).id
    high = tasks.deliver.using(priority=10).enqueue(2, 1).id
    ready = DBTaskResult.objects.ready()

    first = claim_next(ready, "worker-a")
    second = claim_next(ready, "worker-b")

    assert first is not None and second is not None
    assert (str(first.pk), str(second.pk)) == (high, low)
    assert claim_next(ready, "worker-a") is None
    stored = DBTaskResult.objects.get(pk=high)
    assert stored.status == "RUNNING" and stored.started_at is not None
    assert stored.worker_ids == ["worker-a"] and first.worker_ids == ["worker-a"]
    assert first.task_result.args == [2, 1]

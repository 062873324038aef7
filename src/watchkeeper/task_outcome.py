"""A task may record its own success inside its last transaction, sparing the worker a write of its own.

The worker marks a task successful after its code returns. For a delivery that is one more write transaction per
message sent and, on SQLite, one more turn on the database's single write lock: a quarter of a message's writes.
A task whose last step is a transaction (a delivery recording what its send did) marks itself successful in it
instead. The mark commits or rolls back with that work, so a task is never marked done without it; the worker
learns that it committed and skips its own write. Outside a worker (the library's worker, a test calling the task
function) there is no task to mark and nothing happens.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from django.db import transaction
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

_running = threading.local()


@contextmanager
def running(task: DBTaskResult) -> Iterator[None]:
    """Around the task's code, in the thread that runs it."""
    _running.task, _running.settled = task, False
    try:
        yield
    finally:
        _running.task = None


def succeed_in_this_transaction(now: datetime) -> None:
    """Marks the task this thread is running successful, as part of the transaction under way."""
    task: DBTaskResult | None = getattr(_running, "task", None)
    if task is None:
        return
    done = {
        "status": TaskResultStatus.SUCCESSFUL,
        "finished_at": now,
        "return_value": None,
        "exception_class_path": "",
        "traceback": "",
    }
    DBTaskResult.objects.filter(pk=task.pk, status=TaskResultStatus.RUNNING).update(**done)

    def settled() -> None:
        for name, value in done.items():
            setattr(task, name, value)
        _running.settled = True

    transaction.on_commit(settled)


def settled() -> bool:
    """Whether the task just run recorded its own success (and that record committed)."""
    return bool(getattr(_running, "settled", False))

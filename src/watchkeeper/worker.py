"""`watchkeeper worker`: django-tasks-db's worker loop, with a stop that loses nothing and a database that may go.

Stopping. The library's worker exits from inside its signal handler: a second signal during a task raises
SystemExit in the middle of it, the task is recorded as failed with a `SystemExit: 1` traceback and never runs
again. Here a signal never raises out of the handler except to release a task whose code is still running: on
SIGINT or SIGTERM the task in hand is finished and the loop ends (within one poll interval when idle). If the task
is still running RELEASE_SECONDS later, or a second signal arrives, the task is handed back to the queue
unfinished (its own transaction rolls back, deliveries keep their leases) so another worker runs it. Either way
one line says which.

The database going away (a restart, a failover):
- Claiming fails while the database is gone: wait and reconnect, no restart needed.
- A task that fails because the database went away mid-run goes back on the queue (tasks re-check the database
  when they run, so running one again is safe); it is not recorded as failed.
- A finished task's outcome is retried until the database takes it, so its work is not done a second time.
- After WATCHKEEPER_WORKER_DB_GRACE_SECONDS without the database the worker logs and exits with status 3.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import sys
from types import FrameType
from typing import Any

from django.db import transaction
from django.utils.crypto import get_random_string
from django_tasks_db.compat import (
    DEFAULT_TASK_BACKEND_ALIAS,
    DEFAULT_TASK_QUEUE_NAME,
    TaskContext,
    TaskResultStatus,
    task_finished,
    task_started,
)
from django_tasks_db.management.commands.db_worker import Worker as LibraryWorker
from django_tasks_db.models import DBTaskResult

from watchkeeper import database

# Stays under serve's 8 s deadline for its children, and the 10 s anyone waits for a stop.
RELEASE_SECONDS = 6

log = logging.getLogger("watchkeeper.worker")


class Release(BaseException):
    """Raised into a running task to hand it back: BaseException, so task code catching Exception cannot eat it."""


class Worker(LibraryWorker):
    def __init__(self, *, interval: float) -> None:
        super().__init__(
            queue_names=[DEFAULT_TASK_QUEUE_NAME],
            interval=interval,
            batch=False,
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=True,
            max_tasks=None,
            worker_id=get_random_string(32),
            excluded_queue_names=[],
        )
        self.stopped_by: str | None = None
        self.in_task_code = False
        self.outcome = "no task was in hand"

    def configure_signals(self) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGALRM):
            signal.signal(signum, self.shutdown)

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        if signum == signal.SIGALRM or self.stopped_by is not None:
            # Out of patience: release the task if its own code is still running; otherwise it is nearly done.
            if self.in_task_code:
                self.in_task_code = False
                raise Release
            return
        self.stopped_by = signal.Signals(signum).name
        self.running = False  # the loop ends after the task in hand, or after its current short sleep
        if self.running_task:
            signal.alarm(RELEASE_SECONDS)

    def run(self) -> None:
        while self.running:
            try:
                super().run()
                return  # stopped, or batch or max-tasks finished
            except database.OUTAGE as error:
                database.pause(database.lost(error))
                self._recover()

    def _recover(self) -> None:
        """Once the database answers: a claim whose commit we never heard back about is put back on the queue."""

        def requeue_ours() -> int:
            ours = [
                row.pk
                for row in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).only("pk", "worker_ids")
                if row.worker_ids and row.worker_ids[-1] == self.worker_id
            ]
            running = DBTaskResult.objects.filter(pk__in=ours, status=TaskResultStatus.RUNNING)
            return running.update(status=TaskResultStatus.READY, started_at=None)

        if requeued := database.persist(requeue_ours):
            log.warning("Put %s task(s) claimed during the outage back on the queue", requeued)

    def run_task(self, db_task_result: DBTaskResult) -> None:
        """As the library's, but a Release or a database outage hands the task back instead of failing it."""
        self.running_task = True
        if self.stopped_by is not None:
            signal.alarm(RELEASE_SECONDS)  # claimed just as the stop came: the same patience applies
        try:
            value = self._call(db_task_result)
        except Release:
            self._release(db_task_result)
        except database.OUTAGE as error:
            self._put_back(db_task_result, error)
        except SystemExit:
            raise  # the grace period without a database ran out inside the task: the process must end
        except BaseException as error:  # as django-tasks does: the failure is recorded, the worker carries on
            failure = error
            database.persist(lambda: db_task_result.set_failed(failure))
            self._finished(db_task_result)
            if self.stopped_by is not None:
                self.outcome = f"task {db_task_result.id} ({db_task_result.task_path}) failed; recorded as failed"
        else:
            database.persist(lambda: db_task_result.set_successful(value))
            self._finished(db_task_result)
            if self.stopped_by is not None:
                self.outcome = f"finished task {db_task_result.id} ({db_task_result.task_path}) first"
        finally:
            self.in_task_code = False
            self.running_task = False
            self._run_tasks += 1
            signal.alarm(0)

    def _call(self, db_task_result: DBTaskResult) -> Any:
        task = db_task_result.task
        task_result = db_task_result.task_result
        task_started.send(sender=type(task.get_backend()), task_result=task_result)
        self.in_task_code = True
        try:
            if task.takes_context:
                return task.call(TaskContext(task_result=task_result), *task_result.args, **task_result.kwargs)
            return task.call(*task_result.args, **task_result.kwargs)
        finally:
            self.in_task_code = False

    @staticmethod
    def _finished(db_task_result: DBTaskResult) -> None:
        # The outcome is recorded already; the signal only logs, so an outage here costs nothing.
        with contextlib.suppress(*database.OUTAGE):
            task_finished.send(sender=type(db_task_result.task.get_backend()), task_result=db_task_result.task_result)

    @staticmethod
    def _requeue(db_task_result: DBTaskResult) -> int:
        def put_back() -> int:
            with transaction.atomic():
                # Back to READY as if never claimed; worker_ids keeps the history of who tried.
                running = DBTaskResult.objects.filter(pk=db_task_result.pk, status=TaskResultStatus.RUNNING)
                return running.update(status=TaskResultStatus.READY, started_at=None)

        return database.persist(put_back)

    def _release(self, db_task_result: DBTaskResult) -> None:
        self._requeue(db_task_result)
        self.outcome = f"released task {db_task_result.id} ({db_task_result.task_path}) unfinished, back to the queue"

    def _put_back(self, db_task_result: DBTaskResult, error: BaseException) -> None:
        database.lost(error)
        log.warning("Task %s met a database outage mid-run; it goes back on the queue", db_task_result.pk)
        self._requeue(db_task_result)


def run(interval: float) -> None:
    worker = Worker(interval=interval)
    worker.configure_signals()
    worker.run()
    if worker.stopped_by is not None:
        print(f"Worker stopped on {worker.stopped_by}: {worker.outcome}.", file=sys.stderr, flush=True)

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

Deliveries. A delivery (an incident's message to a channel, a page's to a person) mostly waits on its receiver, so
the worker sends up to WATCHKEEPER_DELIVERY_CONCURRENCY of them at once on a pool of threads (see sending_pool)
while its main loop goes on with every other kind of task. A thread is reserved before a delivery is claimed, so
leases stay honest. On a stop the deliveries in flight get the same patience as the task in hand; any still running
then are handed back to the queue (their leases still hold).
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import signal
import sys
import threading
import time
from datetime import datetime
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, OperationalError, close_old_connections, connections, transaction
from django.db.models import QuerySet
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
from django_tasks_db.utils import is_locked_database_exception

from watchkeeper import database, task_outcome
from watchkeeper.notifications import tasks as notification_tasks
from watchkeeper.oncall import tasks as oncall_tasks
from watchkeeper.sending_pool import SendingPool
from watchkeeper.task_claim import Claim, ready_at
from watchkeeper.task_wakeup import Wakeups
from watchkeeper.warm import warm

# Stays under serve's 8 s deadline for its children, and the 10 s anyone waits for a stop.
RELEASE_SECONDS = 6

log = logging.getLogger("watchkeeper.worker")
# Tasks that are one send each, safe to run side by side: they go to the sending pool. On-call sends among them,
# so a page is never queued behind the main loop's longer tasks (a status page fan-out's batches of email).
POOLED = frozenset({notification_tasks.deliver.module_path, oncall_tasks.send_notification.module_path})


# With health checks on, each check of a connection costs PostgreSQL a query: one a second per thread is plenty.
CHECK_SECONDS = 1.0
_checked = threading.local()


def _check_connection() -> None:
    """Drops this thread's database connection if it is broken or past its age (Django's per-request check)."""
    now = time.monotonic()
    if now - getattr(_checked, "at", -CHECK_SECONDS) >= CHECK_SECONDS:
        _checked.at = now
        close_old_connections()


class Release(BaseException):
    """Raised into a running task to hand it back: BaseException, so task code catching Exception cannot eat it."""


def concurrency() -> int:
    size = int(settings.NOTIFICATIONS["CONCURRENCY"])
    if size < 1:
        raise ImproperlyConfigured(f"WATCHKEEPER_DELIVERY_CONCURRENCY must be at least 1, not {size}")
    return size


def _in_short(outcomes: list[str], many: str) -> list[str]:
    """Each outcome, or for a full pool one count: the stop line stays one readable line."""
    return outcomes if len(outcomes) <= 3 else [many.format(len(outcomes))]


class Worker(LibraryWorker):
    def __init__(self, *, interval: float, concurrency: int) -> None:
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
        self.stopped_at = 0.0
        self.impatient = False
        self.in_task_code = False
        self.outcome = ""  # of the task the main loop had in hand when the stop came
        self.pool = SendingPool(concurrency, self._run_pooled)
        self.wakeups = Wakeups()
        # With a free sending thread any task will do; with none, anything but a delivery.
        self._claims = {
            True: Claim(self._ready),
            False: Claim(lambda now: self._ready(now).exclude(task_path__in=POOLED)),
        }

    def configure_signals(self) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGALRM):
            signal.signal(signum, self.shutdown)

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        if signum == signal.SIGALRM or self.stopped_by is not None:
            # Out of patience: release the task if its own code is still running; otherwise it is nearly done.
            self.impatient = True
            if self.in_task_code:
                self.in_task_code = False
                raise Release
            return
        self.stopped_by = signal.Signals(signum).name
        self.stopped_at = time.monotonic()
        self.running = False  # the loop ends after the task in hand, or after its current short wait
        self.pool.keep_outcomes()
        if self.running_task:
            signal.alarm(RELEASE_SECONDS)

    def run(self) -> None:
        # The library's own start line, which operators (and the stop tests) look for.
        logging.getLogger("django_tasks_db").info(
            "Starting worker worker_id=%s queues=%s", self.worker_id, ",".join(self.queue_names)
        )
        warm()
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # jitter, as the library does: workers started together spread out
        while self.running:
            try:
                self._loop()
            except database.OUTAGE as error:
                database.pause(database.lost(error))
                self._recover()
        self._drain()

    def _loop(self) -> None:
        """Claims tasks until stopped: a delivery only while a sending thread is free for it, anything else inline."""
        slot = False
        try:
            while self.running:
                if self.pool.exit_code is not None:
                    sys.exit(self.pool.exit_code)
                _check_connection()
                slot = slot or self.pool.reserve()
                task = self._claim_next(deliveries=slot)
                if task is None:
                    if not self.running:
                        break
                    if slot:
                        self.wakeups.wait(connections[DEFAULT_DB_ALIAS], self.interval, lambda: not self.running)
                    else:  # every thread is sending: look again as soon as one comes free
                        slot = self.pool.reserve(timeout=self.interval)
                elif slot and task.task_path in POOLED:
                    self.pool.submit(task)
                    slot = False
                else:
                    self.run_task(task)
        finally:
            if slot:
                self.pool.unreserve()

    def _ready(self, now: datetime) -> QuerySet[DBTaskResult]:
        return ready_at(now).filter(backend_name=self.backend_name, queue_name__in=self.queue_names)

    def _claim_next(self, *, deliveries: bool) -> DBTaskResult | None:
        try:
            return self._claims[deliveries].next(self.worker_id)
        except OperationalError as error:
            if is_locked_database_exception(error):
                return None  # SQLite is busy with another writer: look again on the next round
            raise

    def _recover(self) -> None:
        """Once the database answers: a claim whose commit we never heard back about is put back on the queue."""
        sending = {str(task.pk) for task in self.pool.in_hand()}

        def requeue_ours() -> int:
            ours = [
                row.pk
                for row in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).only("pk", "worker_ids")
                if row.worker_ids and row.worker_ids[-1] == self.worker_id and str(row.pk) not in sending
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
            outcome = self._execute(db_task_result, watched=True)
            if self.stopped_by is not None:
                self.outcome = outcome
        finally:
            self.in_task_code = False
            self.running_task = False
            self._run_tasks += 1
            signal.alarm(0)

    def _run_pooled(self, db_task_result: DBTaskResult) -> str:
        _check_connection()
        return self._execute(db_task_result, watched=False)

    def _execute(self, db_task_result: DBTaskResult, *, watched: bool) -> str:
        """Runs a task and records how it ended; returns that, in the words of the stop line."""
        named = f"task {db_task_result.id} ({db_task_result.task_path})"
        try:
            value = self._call(db_task_result, watched=watched)
        except Release:
            self._requeue(db_task_result)
            return f"released {named} unfinished, back to the queue"
        except database.OUTAGE as error:
            self._put_back(db_task_result, error)
            return f"put {named} back on the queue after a database outage"
        except SystemExit:
            raise  # the grace period without a database ran out inside the task: the process must end
        except BaseException as error:  # as django-tasks does: the failure is recorded, the worker carries on
            failure = error
            database.persist(lambda: db_task_result.set_failed(failure))
            self._finished(db_task_result)
            return f"{named} failed; recorded as failed"
        if value is not None or not task_outcome.settled():
            database.persist(lambda: db_task_result.set_successful(value))
        self._finished(db_task_result)
        return f"finished {named} first"

    def _call(self, db_task_result: DBTaskResult, *, watched: bool) -> Any:
        """Calls the task's code; ``watched`` (the main loop only) lets a stop's patience release it mid-run."""
        task = db_task_result.task
        task_result = db_task_result.task_result
        task_started.send(sender=type(task.get_backend()), task_result=task_result)
        if watched:
            self.in_task_code = True
        try:
            with task_outcome.running(db_task_result):
                if task.takes_context:
                    return task.call(TaskContext(task_result=task_result), *task_result.args, **task_result.kwargs)
                return task.call(*task_result.args, **task_result.kwargs)
        finally:
            if watched:
                self.in_task_code = False

    def _drain(self) -> None:
        """After a stop: deliveries in flight have until RELEASE_SECONDS after it to finish, then go back."""
        self.pool.stop()
        deadline = self.stopped_at + RELEASE_SECONDS
        while self.pool.in_hand() and not self.impatient and time.monotonic() < deadline:
            self.pool.wait(0.05)
        unfinished = self.pool.in_hand()
        for task in unfinished:
            self._requeue(task)
        released = [f"released task {t.id} ({t.task_path}) unfinished, back to the queue" for t in unfinished]
        parts = [self.outcome] if self.outcome else []
        parts += _in_short(self.pool.finished_after_stop, "finished {} tasks in flight first")
        parts += _in_short(released, "released {} tasks still in flight unfinished, back to the queue")
        self.outcome = "; ".join(parts) or "no task was in hand"

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

    def _put_back(self, db_task_result: DBTaskResult, error: BaseException) -> None:
        database.lost(error)
        log.warning("Task %s met a database outage mid-run; it goes back on the queue", db_task_result.pk)
        self._requeue(db_task_result)


def run(interval: float) -> None:
    worker = Worker(interval=interval, concurrency=concurrency())
    worker.configure_signals()
    worker.run()
    if worker.stopped_by is not None:
        print(f"Worker stopped on {worker.stopped_by}: {worker.outcome}.", file=sys.stderr, flush=True)
        # Nothing is left to do, so skip the interpreter's teardown of every module: on a loaded machine it
        # took seconds, eating into the 10 s anyone waits for a stop.
        connections.close_all()
        logging.shutdown()
        sys.stdout.flush()
        os._exit(0)

"""`watchkeeper worker`: django-tasks-db's worker loop with a stop that loses nothing and does nothing twice.

The library's worker exits from inside its signal handler: a second signal during a task raises SystemExit in the
middle of it, the task is recorded as failed with a `SystemExit: 1` traceback and never runs again. Here a signal
never raises out of the handler except to release a task whose code is still running: on SIGINT or SIGTERM the
task in hand is finished and the loop ends (within one poll interval when idle). If the task is still running
RELEASE_SECONDS later, or a second signal arrives, the task is handed back to the queue unfinished (its own
transaction rolls back, deliveries keep their leases) so another worker runs it. Either way one line says which.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from types import FrameType

from django.db import connections, transaction
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

# Stays under serve's 8 s deadline for its children, and the 10 s anyone waits for a stop.
RELEASE_SECONDS = 6

logger = logging.getLogger("watchkeeper.worker")


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

    def run_task(self, db_task_result: DBTaskResult) -> None:
        """As the library's, but a Release hands the task back to the queue instead of recording a failure."""
        self.running_task = True
        if self.stopped_by is not None:
            signal.alarm(RELEASE_SECONDS)  # claimed just as the stop came: the same patience applies
        try:
            task = db_task_result.task
            task_result = db_task_result.task_result
            backend_type = task.get_backend()
            task_started.send(sender=backend_type, task_result=task_result)
            self.in_task_code = True
            if task.takes_context:
                value = task.call(TaskContext(task_result=task_result), *task_result.args, **task_result.kwargs)
            else:
                value = task.call(*task_result.args, **task_result.kwargs)
            self.in_task_code = False
            db_task_result.set_successful(value)
            task_finished.send(sender=backend_type, task_result=db_task_result.task_result)
            if self.stopped_by is not None:
                self.outcome = f"finished task {db_task_result.id} ({db_task_result.task_path}) first"
        except Release:
            self._release(db_task_result)
        except BaseException as error:
            self.in_task_code = False
            db_task_result.set_failed(error)
            task_finished.send(sender=type(db_task_result.task.get_backend()), task_result=db_task_result.task_result)
            if self.stopped_by is not None:
                self.outcome = f"task {db_task_result.id} ({db_task_result.task_path}) failed; recorded as failed"
        finally:
            self.in_task_code = False
            self.running_task = False
            self._run_tasks += 1
            signal.alarm(0)

    def _release(self, db_task_result: DBTaskResult) -> None:
        with transaction.atomic():
            # Back to READY as if never claimed; worker_ids keeps the history of who tried.
            DBTaskResult.objects.filter(pk=db_task_result.pk, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.READY, started_at=None
            )
        self.outcome = f"released task {db_task_result.id} ({db_task_result.task_path}) unfinished, back to the queue"


def run(interval: float) -> None:
    worker = Worker(interval=interval)
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

"""`watchkeeper worker`: django-tasks' database worker, made to ride out a database restart.

- Claiming fails while the database is gone: wait and reconnect, no restart needed.
- A task that fails because the database went away mid-run goes back on the queue (tasks re-check the database
  when they run, so running one again is safe); it is not recorded as failed.
- A finished task's outcome is retried until the database takes it, so its work is not done a second time.
- After WATCHKEEPER_WORKER_DB_GRACE_SECONDS without the database the worker logs and exits with status 3.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from watchkeeper import database

log = logging.getLogger(__name__)

RUNNING = "RUNNING"
READY = "READY"


class ResilientWorker(Worker):
    def run(self) -> None:
        while self.running:
            try:
                super().run()
                return  # batch or max-tasks finished
            except database.OUTAGE as error:
                database.pause(database.lost(error))
                self._recover()

    def _recover(self) -> None:
        """Once the database answers: a claim whose commit we never heard back about is put back on the queue."""

        def requeue_ours() -> int:
            ours = [
                row.pk
                for row in DBTaskResult.objects.filter(status=RUNNING).only("pk", "worker_ids")
                if row.worker_ids and row.worker_ids[-1] == self.worker_id
            ]
            return DBTaskResult.objects.filter(pk__in=ours, status=RUNNING).update(status=READY, started_at=None)

        requeued = database.persist(requeue_ours)
        if requeued:
            log.warning("Put %s task(s) claimed during the outage back on the queue", requeued)

    def run_task(self, db_task_result: DBTaskResult) -> None:
        try:
            self.running_task = True
            value = self._call(db_task_result)
        except database.OUTAGE as error:
            self._put_back(db_task_result, error)
        except SystemExit:
            raise
        except BaseException as error:  # as django-tasks does: the failure is recorded, the worker carries on
            failure = error
            database.persist(lambda: db_task_result.set_failed(failure))
            self._finished(db_task_result)
        else:
            database.persist(lambda: db_task_result.set_successful(value))
            self._finished(db_task_result)
        finally:
            self.running_task = False
            self._run_tasks += 1

    @staticmethod
    def _call(db_task_result: DBTaskResult) -> Any:
        from django_tasks_db.compat import TaskContext, task_started

        task = db_task_result.task
        task_result = db_task_result.task_result
        task_started.send(sender=type(task.get_backend()), task_result=task_result)
        if task.takes_context:
            return task.call(TaskContext(task_result=task_result), *task_result.args, **task_result.kwargs)
        return task.call(*task_result.args, **task_result.kwargs)

    @staticmethod
    def _finished(db_task_result: DBTaskResult) -> None:
        from django_tasks_db.compat import task_finished

        # The outcome is recorded already; the signal only logs, so an outage here costs nothing.
        with contextlib.suppress(*database.OUTAGE):
            task_finished.send(sender=type(db_task_result.task.get_backend()), task_result=db_task_result.task_result)

    @staticmethod
    def _put_back(db_task_result: DBTaskResult, error: BaseException) -> None:
        database.lost(error)
        log.warning("Task %s met a database outage mid-run; it goes back on the queue", db_task_result.pk)

        def put_back() -> int:
            return DBTaskResult.objects.filter(pk=db_task_result.pk, status=RUNNING).update(
                status=READY, started_at=None
            )

        database.persist(put_back)


def run(interval: float) -> None:
    worker = ResilientWorker(
        queue_names=["default"],
        interval=interval,
        batch=False,
        backend_name="default",
        startup_delay=True,
        max_tasks=None,
        worker_id=get_random_string(32),
        excluded_queue_names=[],
    )
    worker.configure_signals()
    worker.run()

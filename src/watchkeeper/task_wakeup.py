"""An idle worker wakes when a task becomes ready, instead of at its next poll.

Polling once a second put half a second on average, and up to a second, between an incident being declared and
its first message: most of the one second a P1 may take to reach every channel. The poll stays (a task may
become due by the clock alone, and a wake-up may be missed), but between polls the worker waits for a sign:
- on PostgreSQL, a NOTIFY that the enqueuing transaction sends and the server delivers only once it commits, so a
  worker never wakes for a task it cannot see yet, on this machine or any other;
- on SQLite, one database file on one machine, SQLite's own count of commits by other connections
  (PRAGMA data_version), read every few milliseconds: a read of a counter in shared memory, no lock taken.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend, TaskResult
from django_tasks_db.compat import Task

P = ParamSpec("P")
T = TypeVar("T")

CHANNEL = "watchkeeper_tasks_ready"
# How often an idle worker on SQLite looks at the commit count: the wake-up's delay, at a few microseconds a look.
SQLITE_LOOK_SECONDS = 0.02
# How often a waiting worker checks whether it was asked to stop.
STOP_CHECK_SECONDS = 0.25


class WakingDatabaseBackend(DatabaseBackend):
    """django-tasks-db's queue, telling idle workers about each task that is ready at once."""

    def enqueue(self, task: Task[P, T], args: P.args, kwargs: P.kwargs) -> TaskResult[P, T]:  # type: ignore[valid-type]
        result: TaskResult[P, T] = super().enqueue(task, args, kwargs)
        # One due later (a lease check, a reminder) is found by the polls.
        if task.run_after is None or task.run_after <= timezone.now():
            # As the library's own backend does: task backends may load before the apps, and so the models.
            from django_tasks_db.models import DBTaskResult  # noqa: PLC0415

            connection = connections[router.db_for_write(DBTaskResult)]
            if connection.vendor == "postgresql":
                # Inside the enqueuing transaction: PostgreSQL holds it back until the commit and sends it once
                # however many tasks that transaction enqueued.
                with connection.cursor() as cursor:
                    cursor.execute(f"NOTIFY {CHANNEL}")
        return result


class Wakeups:
    """Waits on a connection until a task may have become ready or ``timeout`` passes; one per waiting thread."""

    def __init__(self) -> None:
        self._listening: object = None  # the driver connection LISTEN was sent on: a new one must listen again
        self._seen: int | None = None

    def wait(self, connection: BaseDatabaseWrapper, timeout: float, stopping: Callable[[], bool]) -> None:
        """Returns early, within a fraction of a second, once ``stopping()`` is true: a stop waits for no poll."""
        deadline = time.monotonic() + timeout
        while not stopping():
            left = deadline - time.monotonic()
            if left <= 0 or self._woken(connection, min(left, STOP_CHECK_SECONDS)):
                return

    def _woken(self, connection: BaseDatabaseWrapper, timeout: float) -> bool:
        if connection.vendor == "postgresql":
            return self._notified(connection, timeout)
        if connection.vendor == "sqlite":
            return self._committed(connection, timeout)
        time.sleep(timeout)
        return False

    def _notified(self, connection: BaseDatabaseWrapper, timeout: float) -> bool:
        connection.ensure_connection()
        driver = connection.connection
        with connection.wrap_database_errors:
            if self._listening is not driver:
                driver.execute(f"LISTEN {CHANNEL}")
                self._listening = driver
            return any(True for _ in driver.notifies(timeout=timeout, stop_after=1))

    def _committed(self, connection: BaseDatabaseWrapper, timeout: float) -> bool:
        connection.ensure_connection()
        driver = connection.connection
        deadline = time.monotonic() + timeout
        with connection.wrap_database_errors:
            while True:
                version = int(driver.execute("PRAGMA data_version").fetchone()[0])
                changed = self._seen is not None and version != self._seen
                self._seen = version
                if changed or time.monotonic() >= deadline:
                    return changed
                time.sleep(SQLITE_LOOK_SECONDS)

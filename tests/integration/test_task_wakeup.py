"""An idle worker wakes when a ready task is committed, not at its next poll; a task due later wakes nobody."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, connections, transaction
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper
from django.utils import timezone

from watchkeeper.notifications import tasks
from watchkeeper.task_wakeup import Wakeups

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="LISTEN and NOTIFY are PostgreSQL's")


def never() -> bool:
    return False


class Waiter(threading.Thread):
    """A worker's idle wait on a connection of its own, started once it is listening."""

    def __init__(self, timeout: float) -> None:
        super().__init__(daemon=True)
        self.timeout = timeout
        self.listening = threading.Event()
        self.waited = -1.0

    def run(self) -> None:
        wakeups, own = Wakeups(), connections["default"]
        try:
            wakeups.wait(own, 0.01, never)  # starts listening
            self.listening.set()
            began = time.monotonic()
            wakeups.wait(own, self.timeout, never)
            self.waited = time.monotonic() - began
        finally:
            own.close()

    def __enter__(self) -> Waiter:
        self.start()
        assert self.listening.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        self.join(self.timeout + 10)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_waiting_worker_wakes_when_a_ready_task_commits_and_not_before() -> None:
    with Waiter(timeout=60) as waiter:
        with transaction.atomic():
            tasks.deliver.enqueue(1, 1)
            time.sleep(0.5)
            assert waiter.is_alive(), "woken before the task could be seen"
        waiter.join(10)
        assert not waiter.is_alive(), "still waiting 10 s after the commit"
    assert 0 <= waiter.waited < 10


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_task_due_later_wakes_no_worker() -> None:
    with Waiter(timeout=1.0) as waiter:
        tasks.deliver.using(run_after=timezone.now() + timedelta(minutes=5)).enqueue(1, 1)
    assert waiter.waited >= 1.0


@pytest.mark.skipif(connection.vendor != "sqlite", reason="runs once, in the SQLite pass")
def test_a_waiting_worker_on_sqlite_wakes_when_another_connection_commits(tmp_path: Path, django_db_blocker) -> None:
    path = tmp_path / "wake.sqlite3"
    setup = sqlite3.connect(path)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE tasks (id INTEGER PRIMARY KEY)")
    setup.close()
    worker = SQLiteWrapper({**connection.settings_dict, "NAME": str(path), "OPTIONS": {}}, alias="wake")
    wakeups = Wakeups()
    # Its own database file, not the test database: nothing for pytest-django to set up.
    with django_db_blocker.unblock():
        _commits_wake_a_waiting_worker(path, worker, wakeups)


def _commits_wake_a_waiting_worker(path: Path, worker: SQLiteWrapper, wakeups: Wakeups) -> None:
    try:
        began = time.monotonic()
        wakeups.wait(worker, 0.3, never)
        assert time.monotonic() - began >= 0.3, "woke with nothing committed"

        def commit_soon() -> None:
            time.sleep(0.2)
            other = sqlite3.connect(path)
            with other:
                other.execute("INSERT INTO tasks DEFAULT VALUES")
            other.close()

        committer = threading.Thread(target=commit_soon)
        committer.start()
        began = time.monotonic()
        wakeups.wait(worker, 60, never)
        assert time.monotonic() - began < 10
        committer.join()

        stop = threading.Timer(0.2, lambda: None)
        stop.start()
        began = time.monotonic()
        wakeups.wait(worker, 60, lambda: not stop.is_alive())
        assert time.monotonic() - began < 10, "a stop must not wait for the poll"
    finally:
        worker.close()

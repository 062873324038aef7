"""A bounded pool of sending threads inside one worker, so that deliveries, which mostly wait on a receiver, overlap.

The worker reserves a free thread before it claims a delivery: nothing is claimed that cannot start at once, so a
delivery's lease only ever runs while it is really being sent. Each thread has its own database connection (Django's
are per thread), closed when the thread ends.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable

from django.db import connections
from django_tasks_db.models import DBTaskResult

Run = Callable[[DBTaskResult], str]


class SendingPool:
    def __init__(self, size: int, run: Run) -> None:
        self._run = run
        self._free = threading.Semaphore(size)
        self._work: queue.SimpleQueue[DBTaskResult | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._in_hand: dict[str, DBTaskResult] = {}
        self._stopping = False
        self.finished_after_stop: list[str] = []
        # A thread that met the end of the database grace period: the whole process must end, not just that thread.
        self.exit_code: int | str | None = None
        self.changed = threading.Event()
        self._threads = [threading.Thread(target=self._serve, name=f"sending-{n}", daemon=True) for n in range(size)]
        for thread in self._threads:
            thread.start()

    def reserve(self, timeout: float | None = None) -> bool:
        """Takes a free thread for the next claim; with a timeout, waits up to that long for one to come free."""
        if timeout is None:
            return self._free.acquire(blocking=False)
        return self._free.acquire(timeout=timeout)

    def unreserve(self) -> None:
        self._free.release()

    def submit(self, task: DBTaskResult) -> None:
        """Hands a claimed task to the thread reserved for it."""
        with self._lock:
            self._in_hand[str(task.pk)] = task
        self._work.put(task)

    def in_hand(self) -> list[DBTaskResult]:
        with self._lock:
            return list(self._in_hand.values())

    def keep_outcomes(self) -> None:
        """From now on, say how each task ended (for the stop line). Takes no lock: it is called in a signal handler."""
        self._stopping = True

    def stop(self) -> None:
        """Each thread ends after the task it has, if any."""
        self._stopping = True
        for _ in self._threads:
            self._work.put(None)

    def wait(self, seconds: float) -> None:
        self.changed.wait(seconds)
        self.changed.clear()

    def _serve(self) -> None:
        try:
            while (task := self._work.get()) is not None:
                self._one(task)
        finally:
            connections.close_all()

    def _one(self, task: DBTaskResult) -> None:
        outcome = ""
        try:
            outcome = self._run(task)
        except SystemExit as ended:
            self.exit_code = ended.code
        finally:
            with self._lock:
                del self._in_hand[str(task.pk)]
                if self._stopping and outcome:
                    self.finished_after_stop.append(outcome)
            self._free.release()
            self.changed.set()

"""One writer at a time across every process on a SQLite file, handed over the moment the last one finishes.

SQLite allows one writer; a second waits in SQLite's busy handler, which sleeps in steps that grow to 100 ms
whether or not the lock came free meanwhile. With the web worker and the task worker both writing, those sleeps
were most of the alert intake's p99 (bench-alerts: 600 ms at 50 requests a second, 139 ms of it inside Django).
Here a writer first takes its turn: one thread of this process (a lock), then this process among the others (an
flock on a file beside the database, polled every millisecond or two). SQLite's own locking still guards the data;
a writer that does not take a turn (the sqlite3 shell) is only slower, never unsafe.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.db.utils import OperationalError

# The wait between tries for another process's turn: short, because the holder's writes take milliseconds.
FIRST_PAUSE = 0.0005
LONGEST_PAUSE = 0.002


@dataclass
class Turns:
    """The turns on one database file, for one process; every connection of the process to that file shares it."""

    path: Path
    threads: threading.Lock = field(default_factory=threading.Lock)
    descriptor: int = -1

    def take(self, timeout: float) -> None:
        """Waits for this thread's turn; raises OperationalError as SQLite would after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        if not self.threads.acquire(timeout=timeout):
            raise OperationalError(f"database is locked: no turn to write within {timeout:g} s")
        try:
            self._take_file(deadline, timeout)
        except BaseException:
            self.threads.release()
            raise

    def _take_file(self, deadline: float, timeout: float) -> None:
        if self.descriptor < 0:
            self.descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        pause = FIRST_PAUSE
        while True:
            try:
                fcntl.flock(self.descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise OperationalError(f"database is locked: no turn to write within {timeout:g} s") from None
                time.sleep(pause)
                pause = min(LONGEST_PAUSE, pause * 2)

    def give_back(self) -> None:
        fcntl.flock(self.descriptor, fcntl.LOCK_UN)
        self.threads.release()


_turns: dict[tuple[int, Path], Turns] = {}
_registry = threading.Lock()


def turns_for(database: Path) -> Turns:
    """The process's turns on ``database``; keyed by process so that a forked child never shares its parent's flock."""
    key = (os.getpid(), database.resolve())
    with _registry:
        if key not in _turns:
            _turns[key] = Turns(database.with_name(database.name + ".writers"))
        return _turns[key]

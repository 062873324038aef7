"""Riding out a database that goes away (a restart, a failover) in background work.

A worker that has done something outside the database (sent a message) keeps trying to record it until the
database answers, rather than leaving it to be done again; after WATCHKEEPER_WORKER_DB_GRACE_SECONDS without the
database it logs and exits non-zero, so its supervisor restarts it and someone notices.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection

log = logging.getLogger(__name__)
T = TypeVar("T")

# What a lost or restarting database raises: refused, terminated, closed. A bad query is not among them.
OUTAGE = (OperationalError, InterfaceError)
EXIT_NO_DATABASE = 3
MAX_PAUSE = 2.0


class _Outage:
    """When this process last found the database gone (None while it answers); one per process."""

    since: float | None = None


def grace_seconds() -> float:
    return float(getattr(settings, "WATCHKEEPER_WORKER_DB_GRACE_SECONDS", 300))


def lost(error: BaseException) -> float:
    """Notes a failed database call and closes the broken connection; returns seconds without the database.

    Exits the process with status 3 once the grace period has passed.
    """
    now = time.monotonic()
    if _Outage.since is None:
        _Outage.since = now
        log.warning("Database unreachable (%s); retrying", str(error).strip()[:200])
    # Not inside a transaction here: the atomic block that failed has already rolled back what it could.
    connection.close()
    gone = now - _Outage.since
    if gone > grace_seconds():
        log.critical(
            "No database for %.0f s (WATCHKEEPER_WORKER_DB_GRACE_SECONDS=%s): exiting so a supervisor restarts me",
            gone,
            grace_seconds(),
        )
        sys.exit(EXIT_NO_DATABASE)
    return gone


def found() -> None:
    if _Outage.since is not None:
        log.warning("Database reachable again after %.1f s", time.monotonic() - _Outage.since)
        _Outage.since = None


def pause(gone: float) -> None:
    time.sleep(min(MAX_PAUSE, 0.2 + gone / 10))


def persist(write: Callable[[], T]) -> T:
    """Runs ``write`` (one transaction) until the database takes it, or the grace period ends the process."""
    while True:
        try:
            result = write()
        except OUTAGE as error:
            pause(lost(error))
        else:
            found()
            return result

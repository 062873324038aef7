"""Each web node's copy of the snapshot: a thread polls the database's version number and fetches what changed.

The node serves /status/ from its own folder (through SnapshotApp's in-memory cache), so the page needs no database
and no shared disk; the folder's `.manifest.json` says which version it holds, so a node that restarts while the
database is down knows, and says, what it is serving.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection

from watchkeeper.statuspage import conf, snapshot, snapshot_store
from watchkeeper.statuspage.snapshot_files import install, local_manifest

log = logging.getLogger(__name__)


def loaded(directory: Path) -> bool:
    """True when this node has a snapshot to serve, from the database or left on its disk."""
    return local_manifest(directory)["version"] > 0 or (directory / "index.html").exists()


class SnapshotSync(threading.Thread):
    """One per web process: at most one cheap read a second, a fetch only when the version moved."""

    def __init__(self, directory: Path, interval: float) -> None:
        super().__init__(name="statuspage-sync", daemon=True)
        self.directory = directory
        self.interval = interval
        local = local_manifest(directory)
        self.epoch, self.version = local["epoch"], local["version"]
        self.database_up: bool | None = None
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            self.check()
            self.stopping.wait(self.interval)
        connection.close()

    def stop(self) -> None:
        self.stopping.set()

    def check(self) -> None:
        try:
            epoch, number = snapshot_store.head()
            if number == 0:
                # A new installation: the first node up renders the first version for everyone.
                snapshot.write(self.directory)
            elif epoch != self.epoch or number > self.version:
                version = snapshot_store.version(number)
                if version is not None and install(self.directory, epoch, number, version.files):
                    log.info("Status page: now serving snapshot version %s", number)
                self.epoch, self.version = epoch, number
            self._up()
        except DatabaseError as error:
            self._down(error)
        except LookupError as error:
            log.info("Status page: %s; fetching again", error)
        except Exception:
            # Anything else (a render that cannot find its assets, a full disk) must not end the thread.
            log.exception("Status page: could not follow the snapshot; trying again")

    def _up(self) -> None:
        if self.database_up is False:
            log.warning("Status page: database reachable again; following new snapshot versions")
        self.database_up = True

    def _down(self, error: Exception) -> None:
        # A broken connection is not reused: the next check opens a new one.
        connection.close()
        if self.database_up is False:
            return
        local = local_manifest(self.directory)
        if local["version"] or (self.directory / "index.html").exists():
            what = f"serving snapshot version {local['version'] or '(unversioned)'} from {self.directory}"
            what += f", written {local['at']}" if local["at"] else ""
        else:
            what = f"no snapshot in {self.directory}: /status/ answers 503 with Retry-After until it returns"
        start = "at start-up" if self.database_up is None else "now"
        log.warning("Status page: database unreachable %s (%s); %s", start, str(error).strip()[:200], what)
        self.database_up = False


_running: SnapshotSync | None = None


def start() -> SnapshotSync | None:
    """Starts this process's sync thread (once); STATUSPAGE_SYNC_SECONDS 0 turns it off."""
    global _running

    interval = float(getattr(settings, "STATUSPAGE_SYNC_SECONDS", 1.0))
    if _running is not None or interval <= 0:
        return _running
    _running = SnapshotSync(conf.snapshot_dir(), interval)
    _running.start()
    return _running

"""Each web node's copy of the snapshot: a thread polls the database's version number and fetches what changed.

The node serves /status/ from its own folder (through SnapshotApp's in-memory cache), so the page needs no database
and no shared disk; the folder's `.manifest.json` says which version it holds, so a node that restarts while the
database is down knows, and says, what it is serving.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from watchkeeper.statuspage import conf, snapshot, snapshot_store

log = logging.getLogger(__name__)
MANIFEST = ".manifest.json"


def local_manifest(directory: Path) -> dict[str, Any]:
    """What the folder holds: {"epoch": E, "version": N, "files": {name: digest}}; version 0 when unknown."""
    try:
        data = json.loads((directory / MANIFEST).read_text())
        return {
            "epoch": str(data["epoch"]),
            "version": int(data["version"]),
            "files": dict(data["files"]),
            "at": data.get("at", ""),
        }
    except (OSError, ValueError, KeyError, TypeError):
        return {"epoch": "", "version": 0, "files": {}, "at": ""}


def loaded(directory: Path) -> bool:
    """True when this node has a snapshot to serve, from the database or left on its disk."""
    return local_manifest(directory)["version"] > 0 or (directory / "index.html").exists()


def install(
    directory: Path, epoch: str, number: int, manifest: Mapping[str, str], files: Mapping[str, bytes] | None = None
) -> bool:
    """Makes the folder hold version ``number``: writes every file whose digest differs, then the manifest.

    ``files`` are contents already at hand (a node that just rendered); the rest come from the database. Under the
    folder's lock, and never backwards: a slower writer with an older version leaves a newer one alone.
    """

    with snapshot._locked(directory):
        local = local_manifest(directory)
        if local["epoch"] != epoch:
            local = {"epoch": epoch, "version": 0, "files": {}}
        if local["version"] >= number:
            return False
        have = dict(files or {})
        # The page itself goes last: whoever sees the new page finds the feeds and JSON of the same version.
        changed = sorted(
            (name for name, digest in manifest.items() if local["files"].get(name) != digest),
            key=lambda name: name == "index.html",
        )
        wanted = {manifest[name] for name in changed if name not in have}
        fetched = snapshot_store.contents(wanted) if wanted else {}
        for name in changed:
            content = have.get(name, fetched.get(manifest[name]))
            if content is None:
                raise LookupError(f"snapshot version {number} lost its file {name}; a newer version replaced it")
            snapshot._write(directory / name, content)
        text = json.dumps(
            {"epoch": epoch, "version": number, "at": timezone.now().isoformat(), "files": dict(manifest)}
        )
        snapshot._write(directory / MANIFEST, text.encode())
    return True


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

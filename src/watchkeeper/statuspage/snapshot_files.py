"""The snapshot folder's files: one writer at a time, each file (and its gzip copy) replaced atomically, and the
manifest that says which version the folder holds. The renderer, each node's sync thread and the object storage push
all write through here."""

from __future__ import annotations

import fcntl
import gzip
import json
import os
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.utils import timezone

from watchkeeper.statuspage import snapshot_store
from watchkeeper.statuspage.paths import GZIP_SUFFIX

MANIFEST = ".manifest.json"


@contextmanager
def locked(directory: Path) -> Iterator[None]:
    """One writer at a time, so a slow render never overwrites a newer one that finished first."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _temporary(directory: Path, content: bytes) -> str:
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.chmod(temporary, 0o644)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return temporary


def write_file(target: Path, content: bytes) -> bool:
    """Replaces ``target`` and its gzip copy unless unchanged (so unchanged files keep their ETag); True if written.

    Both files get one mtime, which is how a reader knows the .gz belongs to the file it just read; the .gz
    goes in first, so whoever sees the new file also finds its copy.
    """
    try:
        if target.read_bytes() == content:
            return False
    except OSError:
        pass
    target.parent.mkdir(parents=True, exist_ok=True)
    compressed = Path(str(target) + GZIP_SUFFIX)
    written = [_temporary(target.parent, gzip.compress(content, compresslevel=9, mtime=0))]
    try:
        written.append(_temporary(target.parent, content))
        stamp = time.time_ns()
        for temporary in written:
            os.utime(temporary, ns=(stamp, stamp))
        os.replace(written[0], compressed)
        os.replace(written[1], target)
    except BaseException:
        for temporary in written:
            Path(temporary).unlink(missing_ok=True)
        raise
    return True


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


def install(
    directory: Path, epoch: str, number: int, manifest: Mapping[str, str], files: Mapping[str, bytes] | None = None
) -> bool:
    """Makes the folder hold version ``number``: writes every file whose digest differs, then the manifest.

    ``files`` are contents already at hand (a node that just rendered); the rest come from the database. Under the
    folder's lock, and never backwards: a slower writer with an older version leaves a newer one alone.
    """

    with locked(directory):
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
            write_file(directory / name, content)
        text = json.dumps(
            {"epoch": epoch, "version": number, "at": timezone.now().isoformat(), "files": dict(manifest)}
        )
        write_file(directory / MANIFEST, text.encode())
    return True

"""The static snapshot: every public page, feed and JSON document as plain files, replaced atomically.

The web app answers /status/ from these files without touching the database (see snapshot_wsgi), and
`watchkeeper statuspage export DIR` writes the same files for object storage or a CDN.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from django.db.models import Q
from django.utils import timezone

from watchkeeper.statuspage import api, conf, feeds, pages, queries

log = logging.getLogger(__name__)

# Finished incidents older than this keep the file they were last written to; they do not change.
RECENT = timedelta(days=90)
INDENT = re.compile(r"\n\s+")


def _compact(html: str) -> bytes:
    """Drops the macros' indentation (a third of the page): these pages have no <pre> or <textarea>."""
    return INDENT.sub("\n", html).encode()


def render_all() -> dict[str, bytes]:
    """Every file, keyed by its path in the snapshot."""
    files: dict[str, bytes] = {"index.html": _compact(pages.index())}
    first, count = pages.history(1)
    files["history.html"] = _compact(first)
    for number in range(2, count + 1):
        files[f"history/{number}.html"] = _compact(pages.history(number)[0])
    recent = Q(resolved_at__isnull=True) | Q(updated_at__gte=timezone.now() - RECENT)
    for public in queries.public_incidents().filter(recent):
        files[f"incidents/{public.pk}.html"] = _compact(pages.incident(public))
    files["history.atom"] = feeds.atom().encode()
    files["history.rss"] = feeds.rss().encode()
    for name, document in api.documents().items():
        files[f"api/v2/{name}"] = json.dumps(document, separators=(",", ":")).encode()
    return files


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """One writer at a time, so a slow render never overwrites a newer one that finished first."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _write(target: Path, content: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write(directory: Path | None = None) -> int:
    """Renders and writes the snapshot (under a lock, reading the database inside it); returns the file count."""
    directory = Path(directory or conf.snapshot_dir())
    with _locked(directory):
        files = render_all()
        for name, content in files.items():
            _write(directory / name, content)
    return len(files)


def refresh_quietly() -> None:
    """Runs after a publish commits: a failure is logged, never shown to the comms lead as a failed publish."""
    try:
        write()
    except Exception:
        log.exception("Could not refresh the status page snapshot; the refresh task will try again")

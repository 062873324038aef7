"""The static snapshot: every public page, feed and JSON document as plain files, replaced atomically.

The web app answers /status/ from these files without touching the database (see snapshot_wsgi), and
`watchkeeper statuspage export DIR` writes the same files for object storage or a CDN.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from datetime import time as dt_time
from pathlib import Path
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from watchkeeper.incidents import events
from watchkeeper.statuspage import conf, feeds, pages, public_json, queries, snapshot_files, snapshot_store
from watchkeeper.statuspage.models import NightlyRefresh

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
    for name, document in public_json.documents().items():
        files[f"api/v2/{name}"] = json.dumps(document, separators=(",", ":")).encode()
    return files


def write(directory: Path | None = None) -> int:
    """Renders the snapshot, stores it in the database as the next version and writes it here; returns the file count.

    Every other web node fetches the new version within a second (snapshot_sync). Also makes sure a re-render is
    queued for just after midnight, so a quiet day still rolls the 90-day history and "last updated" over without
    cron.
    """

    directory = Path(directory or conf.snapshot_dir())
    epoch, version, files = snapshot_store.publish(render_all)
    snapshot_files.install(directory, epoch, version.number, version.files, files)
    schedule_nightly()
    return len(files)


def next_nightly(now: datetime) -> datetime:
    """One minute past the next local midnight on the status page's clock."""
    zone = ZoneInfo(conf.time_zone())
    tomorrow = now.astimezone(zone).date() + timedelta(days=1)
    return datetime.combine(tomorrow, dt_time(0, 1), tzinfo=zone)


def schedule_nightly() -> bool:
    """Queues the nightly re-render unless one is already queued for that time; True if this call queued it."""

    now = timezone.now()
    due = next_nightly(now)
    try:
        with transaction.atomic():
            # The unique row is the de-duplication: publishers racing here queue one task between them.
            _, created = NightlyRefresh.objects.get_or_create(run_after=due)
            if created:
                NightlyRefresh.objects.filter(run_after__lt=now).delete()
                events.enqueue("statuspage.nightly_refresh", run_after=due)
    except IntegrityError:
        return False
    return created


_batch = threading.local()


@contextmanager
def one_refresh() -> Iterator[None]:
    """For many posts in one transaction (the demo loading its story): render once when it commits, not once per
    post. Outside it every post renders after its own commit, as the comms lead expects."""
    _batch.active = True
    try:
        yield
    finally:
        _batch.active = False
    transaction.on_commit(refresh_quietly)


def refresh_after_commit() -> None:
    if not getattr(_batch, "active", False):
        transaction.on_commit(refresh_quietly)


def refresh_quietly() -> None:
    """Runs after a publish commits: a failure is logged, never shown to the comms lead as a failed publish."""
    try:
        write()
    except Exception:
        log.exception("Could not refresh the status page snapshot; the refresh task will try again")

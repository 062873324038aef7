"""The snapshot in the database: content-addressed files and numbered versions, so every web node serves the same page.

A publish stores each rendered file once under its SHA-256 and a new version listing every file's digest; a node
that sees a higher version number fetches only the files whose digest changed (see snapshot_sync).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping

from django.db import transaction
from django.utils import timezone

from watchkeeper.incidents import events
from watchkeeper.statuspage import conf
from watchkeeper.statuspage.models import SnapshotBlob, SnapshotHead, SnapshotVersion

# Versions kept for nodes that are a little behind; older ones, and files only they used, are deleted.
KEEP_VERSIONS = 20
PRUNE_EVERY = 10

Manifest = dict[str, str]


def digest_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def manifest_digest(files: Mapping[str, str]) -> str:
    return digest_of(json.dumps(sorted(files.items()), separators=(",", ":")).encode())


def head() -> tuple[str, int]:
    """The epoch and current version number (0 before the first publish): the one cheap read a node makes a second."""
    found = SnapshotHead.objects.filter(pk=1).values_list("epoch", "version").first()
    return (found[0], int(found[1])) if found else ("", 0)


def version(number: int) -> SnapshotVersion | None:
    return SnapshotVersion.objects.filter(number=number).first() if number else None


def contents(digests: Iterable[str]) -> dict[str, bytes]:
    """The bytes of each blob asked for, by digest."""
    wanted = list(set(digests))
    found: dict[str, bytes] = {}
    for start in range(0, len(wanted), 200):
        for digest, content in SnapshotBlob.objects.filter(digest__in=wanted[start : start + 200]).values_list(
            "digest", "content"
        ):
            found[digest] = bytes(content)
    return found


def publish(render: Callable[[], dict[str, bytes]]) -> tuple[str, SnapshotVersion, dict[str, bytes]]:
    """Renders under the head row's lock and stores the result as the next version (unless nothing changed).

    The lock is taken before rendering, so a render that started later always sees the newer data and gets the
    higher number: a slow render can never replace a newer one. Returns the epoch, the version and the files rendered.
    """
    with transaction.atomic():
        head, _ = SnapshotHead.objects.select_for_update().get_or_create(pk=1)
        files = render()
        previous = SnapshotVersion.objects.filter(number=head.version).first() if head.version else None
        rendered = {name: digest_of(content) for name, content in files.items()}
        # Files are never dropped (a finished incident keeps the page it was last rendered to), as on disk.
        manifest: Manifest = {**(previous.files if previous else {}), **rendered}
        digest = manifest_digest(manifest)
        if previous is not None and previous.digest == digest:
            return head.epoch, previous, files
        known = set(SnapshotBlob.objects.filter(digest__in=list(rendered.values())).values_list("digest", flat=True))
        by_digest = {rendered[name]: content for name, content in files.items()}
        SnapshotBlob.objects.bulk_create(
            [SnapshotBlob(digest=d, content=c) for d, c in by_digest.items() if d not in known],
            ignore_conflicts=True,
        )
        version = SnapshotVersion.objects.create(
            number=head.version + 1, created_at=timezone.now(), digest=digest, files=manifest
        )
        head.version = version.number
        head.updated_at = version.created_at
        head.save(update_fields=["version", "updated_at"])
        if version.number % PRUNE_EVERY == 0:
            _prune(version.number)
        _queue_push()
    return head.epoch, version, files


def _queue_push() -> None:
    """With object storage configured, a worker copies the new version there (queued with it, so never lost)."""

    if conf.s3_url():
        events.enqueue("statuspage.push_to_object_storage")


def _prune(newest: int) -> None:
    """Deletes old versions and the files no kept version uses (called under the head lock)."""
    old = list(SnapshotVersion.objects.filter(number__lte=newest - KEEP_VERSIONS).values_list("number", "files"))
    if not old:
        return
    kept: set[str] = set()
    for files in SnapshotVersion.objects.filter(number__gt=newest - KEEP_VERSIONS).values_list("files", flat=True):
        kept.update(files.values())
    dropped = {d for _, files in old for d in files.values()} - kept
    SnapshotVersion.objects.filter(number__in=[number for number, _ in old]).delete()
    dropped_list = list(dropped)
    for start in range(0, len(dropped_list), 500):
        SnapshotBlob.objects.filter(digest__in=dropped_list[start : start + 500]).delete()

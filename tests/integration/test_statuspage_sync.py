"""The snapshot in the database: versions, content addressing, and a second node following them to its own disk."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import Client

from tests.factories import make_component, make_incident, make_service, make_user
from watchkeeper.statuspage import services, snapshot, snapshot_files, snapshot_store, snapshot_sync
from watchkeeper.statuspage.models import SnapshotBlob, SnapshotHead, SnapshotVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def nodes(settings: Any, tmp_path: Path) -> tuple[Path, Path]:
    settings.STATUSPAGE_SNAPSHOT_DIR = tmp_path / "a"
    return tmp_path / "a", tmp_path / "b"


def files_in(directory: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(directory)): p.read_bytes()
        for p in directory.rglob("*")
        if p.is_file() and not p.name.startswith(".") and not p.name.endswith(".gz")
    }


def test_a_second_node_serves_what_the_first_published(nodes: tuple[Path, Path]) -> None:
    a, b = nodes
    follower = snapshot_sync.SnapshotSync(b, 1.0)
    follower.check()  # nothing published yet: the first node up renders version 1 for everyone
    assert snapshot_store.head()[1] == 1
    assert (b / "index.html").exists()

    service = make_service("payments", name="Pay for things")
    make_component(service, "api", name="Payments API")
    lead = make_user("comms")
    services.publish_incident(lead, make_incident(lead, service), name="Payments are failing")
    count = snapshot.write(a)
    epoch, number = snapshot_store.head()
    # Publishing may already have rendered a version of its own (how many depends on the clock's second ticking
    # over between renders), so the newest version is what the follower must reach.
    assert number >= 2 and count == len(SnapshotVersion.objects.get(number=number).files)
    assert b"Payments are failing" not in (b / "index.html").read_bytes()

    follower.check()
    assert b"Payments are failing" in (b / "index.html").read_bytes()
    assert files_in(b) == files_in(a), "both nodes serve the same files"
    manifest = json.loads((b / ".manifest.json").read_text())
    assert (manifest["epoch"], manifest["version"]) == (epoch, number)
    assert snapshot_sync.loaded(b)


def test_an_unchanged_render_is_no_new_version_and_files_are_stored_once(nodes: tuple[Path, Path]) -> None:
    a, _ = nodes
    # Frozen: an empty page says it was last updated "now", which would differ between two renders.
    with time_machine.travel(datetime(2026, 12, 2, 10, 0, tzinfo=UTC), tick=False):
        snapshot.write(a)
        blobs, versions = SnapshotBlob.objects.count(), SnapshotVersion.objects.count()
        snapshot.write(a)
        assert (SnapshotBlob.objects.count(), SnapshotVersion.objects.count()) == (blobs, versions)
        make_component(make_service("payments"), "api", name="Payments API")
        snapshot.write(a)
    assert SnapshotVersion.objects.count() == versions + 1
    added = SnapshotBlob.objects.count() - blobs
    # The page and the component JSON change; the feeds, history and most documents do not.
    assert 0 < added < len(SnapshotVersion.objects.first().files)  # type: ignore[union-attr]


def test_a_folder_from_another_database_is_replaced_not_trusted(nodes: tuple[Path, Path]) -> None:
    a, b = nodes
    snapshot.write(a)
    follower = snapshot_sync.SnapshotSync(b, 1.0)
    follower.check()
    (b / "index.html").write_bytes(b"left over from another database")
    SnapshotHead.objects.update(epoch="restored")
    follower.check()
    assert (b / "index.html").read_bytes() == (a / "index.html").read_bytes()
    assert json.loads((b / ".manifest.json").read_text())["epoch"] == "restored"


def test_an_older_version_never_replaces_a_newer_one(nodes: tuple[Path, Path]) -> None:
    a, _ = nodes
    snapshot.write(a)
    epoch, number = snapshot_store.head()
    assert not snapshot_files.install(a, epoch, number - 1, {"index.html": "0" * 64}, {"index.html": b"old"})
    assert (a / "index.html").read_bytes() != b"old"


def test_health_endpoints_need_no_sign_in(client: Client, nodes: tuple[Path, Path]) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    not_ready = client.get("/readyz")
    assert not_ready.status_code == 503, "no snapshot yet"
    assert not_ready.json()["checks"]["snapshot"] != "ok"
    assert not_ready["Retry-After"]
    snapshot.write(nodes[0])
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.content
    assert ready.json()["checks"] == {"database": "ok", "migrations": "ok", "snapshot": "ok"}


def test_a_failing_render_is_logged_and_the_thread_carries_on(
    nodes: tuple[Path, Path], settings: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings.STATIC_ROOT = tmp_path / "never-collected"  # the page cannot name its assets
    follower = snapshot_sync.SnapshotSync(nodes[1], 1.0)
    follower.check()
    assert "could not follow the snapshot" in caplog.text
    assert snapshot_store.head()[1] == 0 and not snapshot_sync.loaded(nodes[1])

"""Each new snapshot version copied to S3-compatible storage: signed PUTs, changed files only, never backwards."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.factories import make_component, make_incident, make_service, make_user
from tests.fakes.s3 import ACCESS_KEY, REGION, SECRET_KEY, FakeS3
from tests.integration.test_statuspage_publish import run_tasks
from watchkeeper.statuspage import s3, services, snapshot, snapshot_store

pytestmark = pytest.mark.django_db
PREFIX = "/status-bucket/public"


@pytest.fixture
def bucket(settings: Any, tmp_path: Path) -> Iterator[FakeS3]:
    fake = FakeS3()
    settings.STATUSPAGE_SNAPSHOT_DIR = tmp_path / "snapshot"
    settings.STATUSPAGE_S3_URL = fake.url + PREFIX
    settings.STATUSPAGE_S3_REGION = REGION
    settings.STATUSPAGE_S3_ACCESS_KEY_ID = ACCESS_KEY
    settings.STATUSPAGE_S3_SECRET_ACCESS_KEY = SECRET_KEY
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    yield fake
    fake.close()


def test_a_publish_reaches_the_bucket_page_last_manifest_after(bucket: FakeS3) -> None:
    service = make_service("payments", name="Pay for things")
    make_component(service, "api", name="Payments API")
    lead = make_user("comms")
    services.publish_incident(lead, make_incident(lead, service), name="Payments are failing")
    run_tasks()
    epoch, number = snapshot_store.head()
    manifest = json.loads(bucket.get(f"{PREFIX}/.manifest.json"))
    assert (manifest["epoch"], manifest["version"]) == (epoch, number)
    assert b"Payments are failing" in bucket.get(f"{PREFIX}/index.html")
    assert bucket.objects[f"{PREFIX}/index.html"][1].startswith("text/html")
    assert bucket.objects[f"{PREFIX}/api/v2/summary.json"][1] == "application/json"
    assert bucket.puts[-2:] == [f"{PREFIX}/index.html", f"{PREFIX}/.manifest.json"]
    assert bucket.refused == 0
    assert set(manifest["files"]) == {key.removeprefix(PREFIX + "/") for key in bucket.objects} - {".manifest.json"}


def test_only_changed_files_go_and_an_old_version_never_replaces_a_new_one(bucket: FakeS3) -> None:
    snapshot.write()
    run_tasks()
    first = len(bucket.puts)
    make_component(make_service("payments"), "api", name="Payments API")
    snapshot.write()
    run_tasks()
    changed = len(bucket.puts) - first - 1  # less the manifest
    assert 0 < changed < first - 1, "only the files whose content changed"
    before = len(bucket.puts)
    assert s3.push_current() == 0, "the bucket already holds the newest version"
    assert len(bucket.puts) == before


def test_a_wrong_key_is_refused_and_the_bucket_keeps_what_it_had(bucket: FakeS3, settings: Any) -> None:
    settings.STATUSPAGE_S3_SECRET_ACCESS_KEY = "not-the-secret"
    snapshot.write()
    with pytest.raises(OSError):
        s3.push_current()
    assert bucket.refused >= 1 and not bucket.puts

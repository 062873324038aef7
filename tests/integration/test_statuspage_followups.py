"""What the status page takes from the rest of Watchkeeper and gives back: the published post-incident report,
GDS step 6 ticked by publishing, and the nightly re-render that rolls a quiet day over without cron."""

from __future__ import annotations

import gzip
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import feedparser
import pytest
import time_machine
from django.test import Client
from django_tasks_db.models import DBTaskResult

from tests.integration.test_statuspage_publish import publish, run_tasks, snapshot_dir, world  # noqa: F401
from watchkeeper.catalogue import services as catalogue
from watchkeeper.domain.workflow import Step
from watchkeeper.reviews import services as reviews
from watchkeeper.statuspage import services, snapshot
from watchkeeper.statuspage.models import NightlyRefresh

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
REPORT = "On 3 March payments failed for 40 minutes.\n\nA full disk stopped the database. We now alert earlier."


def _ticked(found: dict[str, Any]) -> bool:
    return found["incident"].checklist.filter(step=Step.WIDER_AUDIENCE_TOLD.value).exists()


def test_the_published_report_shows_on_the_page_json_and_feed(
    world: dict[str, Any],  # noqa: F811
    client: Client,
    snapshot_dir: Path,  # noqa: F811
    django_capture_on_commit_callbacks: Any,
) -> None:
    public = publish(world)
    services.post_update(world["lead"], public, status="resolved", body="Fixed.")
    page = f"/status/incidents/{public.pk}"
    assert b"Post-incident report" not in client.get(page).content
    assert "postmortem_body" not in client.get("/status/api/v2/incidents.json").json()["incidents"][0]
    reviews.update_report(world["lead"], world["incident"], public_text=REPORT)
    # Written but not yet marked publishable: still private.
    assert b"A full disk" not in client.get(page).content
    with django_capture_on_commit_callbacks(execute=True):
        reviews.update_report(world["lead"], world["incident"], publishable=True)
    html = client.get(page).content.decode()
    assert "Post-incident report" in html
    assert '<p class="govuk-body">A full disk stopped the database. We now alert earlier.</p>' in html
    [incident] = client.get("/status/api/v2/incidents.json").json()["incidents"]
    assert incident["postmortem_body"] == REPORT
    assert incident["postmortem_published_at"]
    entry = feedparser.parse(client.get("/status/history.atom").content).entries[0]
    assert "A full disk stopped the database" in entry.summary
    # Publishing it re-rendered the snapshot at once, without waiting for another post.
    written = json.loads((snapshot_dir / "api/v2/incidents.json").read_text())
    assert written["incidents"][0]["postmortem_body"] == REPORT
    assert "A full disk" in (snapshot_dir / f"incidents/{public.pk}.html").read_text()


def test_a_restricted_incidents_report_never_shows(world: dict[str, Any], client: Client) -> None:  # noqa: F811
    public = publish(world)
    reviews.update_report(world["lead"], world["incident"], public_text=REPORT, publishable=True)
    world["incident"].restricted = True
    world["incident"].save(update_fields=["restricted"])
    assert b"A full disk" not in client.get(f"/status/incidents/{public.pk}").content


def test_publishing_ticks_wider_audience_told(world: dict[str, Any]) -> None:  # noqa: F811
    assert not _ticked(world)
    publish(world, notify=False)
    tick = world["incident"].checklist.get(step=Step.WIDER_AUDIENCE_TOLD.value)
    assert tick.done_by == world["lead"]
    assert tick.automatic


def test_a_notifying_update_ticks_it_and_a_silent_one_does_not(world: dict[str, Any]) -> None:  # noqa: F811
    public = publish(world)
    world["incident"].checklist.all().delete()
    services.post_update(world["lead"], public, status="identified", body="Found it.", notify=False)
    assert not _ticked(world)
    services.post_update(world["lead"], public, status="monitoring", body="Fixed.")
    assert _ticked(world)


def test_a_failed_publish_ticks_nothing(world: dict[str, Any]) -> None:  # noqa: F811
    with pytest.raises(Exception, match="public title"):
        publish(world, name=" ")
    assert not _ticked(world)


def _nightly() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path__endswith="nightly_refresh", status="READY"))


def test_each_write_keeps_one_nightly_refresh_queued(world: dict[str, Any], settings: Any) -> None:  # noqa: F811
    settings.STATUSPAGE_TIME_ZONE = "Europe/London"
    with time_machine.travel(datetime(2026, 3, 28, 15, 0, tzinfo=LONDON), tick=False) as clock:
        snapshot.write()
        snapshot.write()
        publish(world)
        run_tasks()
        [queued] = _nightly()
        assert queued.run_after == datetime(2026, 3, 29, 0, 1, tzinfo=LONDON)
        # A quiet day: nothing but the clock moves. Just after midnight the page is rendered again...
        clock.move_to(datetime(2026, 3, 29, 0, 1, 30, tzinfo=LONDON))
        before = Path(settings.STATUSPAGE_SNAPSHOT_DIR, "index.html").stat().st_mtime_ns
        run_tasks()
        assert Path(settings.STATUSPAGE_SNAPSHOT_DIR, "index.html").stat().st_mtime_ns != before
        # ...and the next night's is queued, on local time across the clock change (BST from 29 March).
        [queued] = _nightly()
        assert queued.run_after == datetime(2026, 3, 30, 0, 1, tzinfo=LONDON)
        assert queued.run_after.astimezone(ZoneInfo("UTC")).hour == 23
        assert NightlyRefresh.objects.count() == 1


def test_unchanged_files_keep_their_etag_and_have_a_gzip_twin(
    world: dict[str, Any],  # noqa: F811
    snapshot_dir: Path,  # noqa: F811
) -> None:
    public = publish(world)
    snapshot.write()
    page = snapshot_dir / f"incidents/{public.pk}.html"
    twin = Path(f"{page}.gz")
    assert gzip.decompress(twin.read_bytes()) == page.read_bytes()
    assert twin.stat().st_mtime_ns == page.stat().st_mtime_ns
    before = page.stat().st_mtime_ns
    with time_machine.travel(timedelta(minutes=5)):
        snapshot.write()
    assert page.stat().st_mtime_ns == before
    assert not list(snapshot_dir.rglob(".tmp-*"))


def test_the_nightly_time_is_one_minute_past_local_midnight(settings: Any) -> None:
    settings.STATUSPAGE_TIME_ZONE = "Europe/London"
    late = datetime(2026, 10, 24, 23, 59, tzinfo=LONDON)
    assert snapshot.next_nightly(late) == datetime(2026, 10, 25, 0, 1, tzinfo=LONDON)
    assert snapshot.next_nightly(late + timedelta(minutes=2)) == datetime(2026, 10, 26, 0, 1, tzinfo=LONDON)


def test_a_component_renamed_or_removed_in_the_catalogue_shows_on_the_page_at_once(
    world: dict[str, Any],  # noqa: F811
    snapshot_dir: Path,  # noqa: F811
    django_capture_on_commit_callbacks: Any,
) -> None:
    def names() -> set[str]:
        written = json.loads((snapshot_dir / "api/v2/components.json").read_text())
        return {component["name"] for component in written["components"]}

    with django_capture_on_commit_callbacks(execute=True):
        catalogue.update_component(world["api"], slug="api", name="Card payments API")
    assert {"Card payments API", "Payment pages"} <= names()
    assert "Payments API" not in names()
    with django_capture_on_commit_callbacks(execute=True):
        catalogue.remove_component(world["web"])
    assert "Payment pages" not in names()

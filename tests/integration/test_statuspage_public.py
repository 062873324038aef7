"""The public page, its Statuspage-shaped JSON and feeds, the snapshot, and serving it with the database gone."""

from __future__ import annotations

import argparse
import json
import time
from datetime import timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

import feedparser
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connections
from django.test import Client
from django.utils import timezone

from tests.integration.test_statuspage_publish import publish, snapshot_dir, world  # noqa: F401
from watchkeeper.cli.statuspage import add_commands
from watchkeeper.statuspage import services, snapshot
from watchkeeper.statuspage.snapshot_wsgi import SnapshotApp

pytestmark = pytest.mark.django_db

PAGE_FIELDS = {"id", "name", "url", "time_zone", "updated_at"}
COMPONENT_FIELDS = {
    "id", "name", "status", "created_at", "updated_at", "position", "description", "showcase",
    "start_date", "group_id", "page_id", "group", "only_show_if_degraded",
}  # fmt: skip
INCIDENT_FIELDS = {
    "id", "name", "status", "created_at", "updated_at", "monitoring_at", "resolved_at", "impact",
    "shortlink", "started_at", "page_id", "incident_updates", "components",
}  # fmt: skip
UPDATE_FIELDS = {
    "id", "status", "body", "incident_id", "created_at", "updated_at", "display_at",
    "affected_components", "deliver_notifications", "custom_tweet", "tweet_id",
}  # fmt: skip
ENDPOINTS = [
    "summary.json",
    "status.json",
    "components.json",
    "incidents.json",
    "incidents/unresolved.json",
    "scheduled-maintenances.json",
    "scheduled-maintenances/upcoming.json",
    "scheduled-maintenances/active.json",
]


@pytest.fixture
def published(world: dict[str, Any]) -> dict[str, Any]:  # noqa: F811
    world["public"] = publish(world)
    start = timezone.now() + timedelta(days=1)
    world["maintenance"] = services.schedule_maintenance(
        world["lead"],
        name="Card payments upgrade",
        body="Card payments will be unavailable.",
        components=[world["web"]],
        scheduled_for=start,
        scheduled_until=start + timedelta(hours=1),
    )
    return world


def test_every_endpoint_has_statuspage_shapes(published: dict[str, Any], client: Client) -> None:
    for name in ENDPOINTS:
        response = client.get(f"/status/api/v2/{name}")
        assert response.status_code == 200, name
        assert response["Access-Control-Allow-Origin"] == "*"
        document = response.json()
        assert set(document["page"]) == PAGE_FIELDS
    summary = client.get("/status/api/v2/summary.json").json()
    assert set(summary) == {"page", "components", "incidents", "scheduled_maintenances", "status"}
    assert summary["status"] == {"indicator": "critical", "description": "Major System Outage"}
    for component in summary["components"]:
        assert set(component) >= COMPONENT_FIELDS
    group = next(c for c in summary["components"] if c["group"])
    assert group["name"] == "Pay for things"
    assert group["status"] == "major_outage"
    children = [c for c in summary["components"] if c["group_id"] == group["id"]]
    assert {c["name"]: c["status"] for c in children} == {
        "Payments API": "major_outage",
        "Payment pages": "degraded_performance",
    }
    assert group["components"] == [c["id"] for c in children]
    [incident] = summary["incidents"]
    assert set(incident) == INCIDENT_FIELDS
    assert incident["impact"] == "critical"
    assert incident["shortlink"].endswith(f"/status/incidents/{published['public'].pk}")
    [update] = incident["incident_updates"]
    assert set(update) == UPDATE_FIELDS
    assert {a["new_status"] for a in update["affected_components"]} == {"major_outage", "degraded_performance"}
    [maintenance] = summary["scheduled_maintenances"]
    assert set(maintenance) == INCIDENT_FIELDS | {"scheduled_for", "scheduled_until"}
    assert maintenance["impact"] == "maintenance"
    assert maintenance["status"] == "scheduled"
    upcoming = client.get("/status/api/v2/scheduled-maintenances/upcoming.json").json()
    assert [m["name"] for m in upcoming["scheduled_maintenances"]] == ["Card payments upgrade"]
    assert client.get("/status/api/v2/scheduled-maintenances/active.json").json()["scheduled_maintenances"] == []
    assert client.get("/status/api/v2/nothing.json").status_code == 404


def test_resolved_incidents_leave_unresolved_but_stay_in_incidents(published: dict[str, Any], client: Client) -> None:
    services.post_update(published["lead"], published["public"], status="resolved", body="Fixed.")
    assert client.get("/status/api/v2/incidents/unresolved.json").json()["incidents"] == []
    [incident] = client.get("/status/api/v2/incidents.json").json()["incidents"]
    assert incident["status"] == "resolved"
    assert client.get("/status/api/v2/status.json").json()["status"]["indicator"] == "none"


def test_feeds_parse(published: dict[str, Any], client: Client) -> None:
    for path, version in (("/status/history.atom", "atom10"), ("/status/history.rss", "rss20")):
        response = client.get(path)
        assert response.status_code == 200
        feed = feedparser.parse(response.content)
        assert not feed.bozo, feed.bozo_exception
        assert feed.version == version
        titles = {entry.title for entry in feed.entries}
        assert titles == {"Payments are failing", "Card payments upgrade"}
        entry = next(e for e in feed.entries if e.title == "Payments are failing")
        assert entry.link.endswith(f"/status/incidents/{published['public'].pk}")
        assert "Some payments are failing" in entry.summary


def test_public_pages_need_no_sign_in(published: dict[str, Any], client: Client) -> None:
    page = client.get("/status/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Major System Outage" in html
    assert "Payments are failing" in html
    assert "Card payments upgrade" in html
    assert "uptime over the last 90 days" in html
    assert "A partial outage counts as 30% downtime" in html
    assert "db01" not in html
    assert client.get(f"/status/incidents/{published['public'].pk}").status_code == 200
    assert client.get("/status/history").status_code == 200
    assert client.get("/status/history/9").status_code == 404


def test_name_logo_and_support_link_are_configurable(published: dict[str, Any], client: Client, settings: Any) -> None:
    settings.STATUSPAGE_NAME = "Pay status"
    settings.STATUSPAGE_LOGO_TEXT = "Department of Payments"
    settings.STATUSPAGE_SUPPORT_URL = "https://help.example.gov.uk/"
    html = client.get("/status/").content.decode()
    assert "Pay status" in html
    assert "Department of Payments" in html
    assert "https://help.example.gov.uk/" in html


def test_each_publish_writes_the_snapshot_at_once(
    published: dict[str, Any],
    snapshot_dir: Path,  # noqa: F811
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        started = time.monotonic()
        services.post_update(published["lead"], published["public"], status="identified", body="Found it.")
    assert time.monotonic() - started < 2
    summary = json.loads((snapshot_dir / "api/v2/summary.json").read_text())
    assert summary["incidents"][0]["incident_updates"][0]["body"] == "Found it."
    for name in ["index.html", "history.html", "history.atom", "history.rss", *(f"api/v2/{e}" for e in ENDPOINTS)]:
        assert (snapshot_dir / name).is_file(), name
    assert (snapshot_dir / f"incidents/{published['public'].pk}.html").is_file()
    assert not list(snapshot_dir.rglob(".tmp-*"))


def _call(app: Any, path: str, **environ: Any) -> tuple[str, dict[str, str], bytes]:
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        seen["status"], seen["headers"] = status, dict(headers)

    base = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "wsgi.input": BytesIO(), "SERVER_NAME": "127.0.0.1"}
    body = b"".join(app({**base, **environ}, start_response))
    return seen["status"], seen["headers"], body


def test_the_page_answers_from_the_snapshot_with_the_database_gone(
    published: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = tmp_path / "export"
    snapshot.write(directory)
    app = SnapshotApp(WSGIHandler(), directory, max_age=30)

    def no_database(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the snapshot must be served without touching the database")

    for connection in connections.all():
        monkeypatch.setattr(connection, "cursor", no_database)
        monkeypatch.setattr(connection, "connect", no_database)
    status, headers, body = _call(app, "/status/")
    assert status == "200 OK"
    assert headers["Content-Type"].startswith("text/html")
    assert headers["Cache-Control"].startswith("public, max-age=30")
    assert b"Payments are failing" in body
    status, headers, body = _call(app, "/status/api/v2/summary.json")
    assert json.loads(body)["status"]["indicator"] == "critical"
    assert _call(app, "/status/history.atom")[1]["Content-Type"].startswith("application/atom+xml")
    assert _call(app, f"/status/incidents/{published['public'].pk}")[0] == "200 OK"
    assert _call(app, "/status/", HTTP_IF_NONE_MATCH=headers["ETag"])[0] == "200 OK"
    etag = _call(app, "/status/")[1]["ETag"]
    assert _call(app, "/status/", HTTP_IF_NONE_MATCH=etag)[0] == "304 Not Modified"
    assert _call(app, "/status/", REQUEST_METHOD="HEAD")[2] == b""


def test_the_wrapper_passes_everything_else_to_django(tmp_path: Path) -> None:
    calls: list[str] = []

    def inner(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        calls.append(environ["PATH_INFO"])
        start_response("200 OK", [])
        return [b"django"]

    app = SnapshotApp(inner, tmp_path, max_age=5)
    (tmp_path / "index.html").write_text("snapshot")
    assert _call(app, "/status/subscribe")[2] == b"django"
    assert _call(app, "/status/../secret")[2] == b"django"
    assert _call(app, "/status/", REQUEST_METHOD="POST")[2] == b"django"
    assert _call(app, "/incidents/")[2] == b"django"
    assert _call(app, "/status/")[2] == b"snapshot"
    assert calls == ["/status/subscribe", "/status/../secret", "/status/", "/incidents/"]


def test_export_command_writes_the_snapshot(published: dict[str, Any], tmp_path: Path) -> None:
    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["statuspage", "export", str(tmp_path / "out")])
    args.func(args)
    assert json.loads((tmp_path / "out/api/v2/status.json").read_text())["status"]["indicator"] == "critical"

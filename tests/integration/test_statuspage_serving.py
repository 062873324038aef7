"""The snapshot served from memory: gzip when asked, 304s for either representation, a replaced file noticed
within the recheck interval."""

from __future__ import annotations

import gzip
import os
from pathlib import Path
from typing import Any

import pytest

from tests.integration.test_statuspage_public import _call
from watchkeeper.statuspage import snapshot_files
from watchkeeper.statuspage.snapshot_wsgi import SnapshotApp

PAGE = b"<!DOCTYPE html><title>Status</title>" + b"<p>All systems operational</p>" * 40


def _django(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("404 Not Found", [])
    return [b"django"]


@pytest.fixture
def app(tmp_path: Path) -> SnapshotApp:
    snapshot_files.write_file(tmp_path / "index.html", PAGE)
    # Rechecked on every request, so a test may replace a file and read it back at once.
    return SnapshotApp(_django, tmp_path, max_age=15, recheck=0)


def test_gzip_only_for_clients_that_accept_it(app: SnapshotApp) -> None:
    status, headers, body = _call(app, "/status/", HTTP_ACCEPT_ENCODING="br, gzip")
    assert status == "200 OK"
    assert headers["Content-Encoding"] == "gzip"
    assert headers["Vary"] == "Accept-Encoding"
    assert gzip.decompress(body) == PAGE
    assert int(headers["Content-Length"]) == len(body) < len(PAGE)
    for refused in ["", "identity", "gzip;q=0"]:
        status, headers, body = _call(app, "/status/", HTTP_ACCEPT_ENCODING=refused)
        assert "Content-Encoding" not in headers
        assert body == PAGE


def test_either_etag_gets_a_304(app: SnapshotApp) -> None:
    plain = _call(app, "/status/")[1]["ETag"]
    zipped = _call(app, "/status/", HTTP_ACCEPT_ENCODING="gzip")[1]["ETag"]
    assert plain != zipped
    for tag in (plain, zipped, f"W/{plain}", "*"):
        status, headers, body = _call(app, "/status/", HTTP_IF_NONE_MATCH=tag, HTTP_ACCEPT_ENCODING="gzip")
        assert status == "304 Not Modified"
        assert body == b""
        assert "Content-Length" not in headers
    assert _call(app, "/status/", HTTP_IF_NONE_MATCH='"other"')[0] == "200 OK"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_replaced_file_is_served_after_the_recheck_interval_and_unchanged_ones_from_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    snapshot_files.write_file(tmp_path / "index.html", PAGE)
    clock = Clock()
    app = SnapshotApp(_django, tmp_path, max_age=15, recheck=0.25, clock=clock)
    _call(app, "/status/")
    touched: list[str] = []
    real_open, real_stat = open, os.stat

    def counting_open(path: Any, *args: Any, **kwargs: Any) -> Any:
        touched.append(f"open {path}")
        return real_open(path, *args, **kwargs)

    def counting_stat(path: Any, *args: Any, **kwargs: Any) -> Any:
        touched.append(f"stat {path}")
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", counting_open)
    monkeypatch.setattr(os, "stat", counting_stat)
    for _ in range(3):
        assert _call(app, "/status/")[2] == PAGE
    assert touched == [], "within the interval a request must not touch the disk"
    replaced = b"<p>Payments are failing</p>" * 20
    snapshot_files.write_file(tmp_path / "index.html", replaced)
    clock.now += 0.2
    assert _call(app, "/status/")[2] == PAGE
    clock.now += 0.06
    assert _call(app, "/status/")[2] == replaced
    assert gzip.decompress(_call(app, "/status/", HTTP_ACCEPT_ENCODING="gzip")[2]).startswith(b"<p>Payments")
    touched.clear()
    clock.now += 1
    assert _call(app, "/status/")[2] == replaced
    assert [entry.split()[0] for entry in touched] == ["stat"], "an unchanged file is asked about, never re-read"


def test_a_removed_file_passes_to_django_after_the_recheck_interval(tmp_path: Path) -> None:
    snapshot_files.write_file(tmp_path / "index.html", PAGE)
    clock = Clock()
    app = SnapshotApp(_django, tmp_path, max_age=15, recheck=0.25, clock=clock)
    assert _call(app, "/status/")[2] == PAGE
    os.unlink(tmp_path / "index.html")
    clock.now += 0.3
    assert _call(app, "/status/")[2] == b"django"
    snapshot_files.write_file(tmp_path / "index.html", b"<p>back</p>")
    assert _call(app, "/status/")[2] == b"<p>back</p>"


def test_a_gzip_twin_from_another_version_is_not_used(app: SnapshotApp, tmp_path: Path) -> None:
    # A file replaced by hand (or by an older writer) leaves a .gz that no longer matches it.
    (tmp_path / "index.html").write_bytes(b"<p>edited by hand</p>" * 30)
    body = _call(app, "/status/", HTTP_ACCEPT_ENCODING="gzip")[2]
    assert gzip.decompress(body) == b"<p>edited by hand</p>" * 30


def test_gzip_twins_are_not_urls(app: SnapshotApp, tmp_path: Path) -> None:
    assert (tmp_path / "index.html.gz").exists()
    assert _call(app, "/status/index.html.gz")[2] == b"django"
    os.unlink(tmp_path / "index.html")
    assert _call(app, "/status/")[2] == b"django"

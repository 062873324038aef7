"""`watchkeeper serve`: the web app and a worker together over real HTTP; Ctrl-C stops both."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest

from tests.e2e.test_cli import WATCHKEEPER, run

# Process supervision and start-up checks do not depend on the database: one CI pass runs them.
pytestmark = pytest.mark.sqlite_pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, deadline: float = 90.0) -> urllib.request.addinfourl:
    start = time.monotonic()
    while True:
        try:
            # Generous: a loaded CI machine may take a while to import Django in each gunicorn worker.
            return urllib.request.urlopen(url, timeout=30)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if time.monotonic() - start > deadline:
                raise
            time.sleep(0.2)


@pytest.mark.skipif(not Path("build/static/govuk-frontend.min.css").exists(), reason="assets not built (make assets)")
@pytest.mark.parametrize("server", ["granian", "gunicorn"])
def test_serve_runs_web_and_worker_and_stops_on_ctrl_c(tmp_path: Path, server: str) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "WATCHKEEPER_VAR_DIR": str(tmp_path),
        "STATIC_ROOT": str(tmp_path / "static"),
        "STATUSPAGE_SNAPSHOT_DIR": str(tmp_path / "statuspage"),
    }
    for step in (
        ["migrate"],
        ["manage", "collectstatic", "--no-input", "--verbosity", "0"],
        ["demo", "--empty"],  # the sign-in page and the status page need no incidents
        ["statuspage", "export"],
    ):
        assert run(*step, env=env).returncode == 0
    port = free_port()
    process = subprocess.Popen(
        [WATCHKEEPER, "serve", "--port", str(port), "--workers", "1", "--server", server], env=env
    )
    try:
        page = wait_for(f"http://127.0.0.1:{port}/sign-in")
        assert page.status == 200
        assert b"Sign in to Watchkeeper" in page.read()
        css = wait_for(f"http://127.0.0.1:{port}/assets/govuk-frontend.min.css")
        assert css.status == 200
        status = wait_for(f"http://127.0.0.1:{port}/status/")
        assert status.status == 200
        assert status.headers["Cache-Control"].startswith("public")  # answered from the snapshot, not Django
        children = psutil.Process(process.pid).children()
        commands = [" ".join(child.cmdline()) for child in children]
        assert any(f"-m {server}" in c for c in commands), commands
        assert any(c.endswith("watchkeeper.cli worker") for c in commands), commands
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
    assert not any(child.is_running() and child.status() != psutil.STATUS_ZOMBIE for child in children)

"""What `watchkeeper serve` logs: a line per request that reaches Django, a sum of status page snapshot hits."""

from __future__ import annotations

import os
import re
import signal
import subprocess
from pathlib import Path

import pytest

from tests.e2e.test_cli import WATCHKEEPER, run
from tests.e2e.test_serve import free_port, wait_for

# Process supervision and start-up checks do not depend on the database: one CI pass runs them.
pytestmark = pytest.mark.sqlite_pass


@pytest.mark.skipif(not Path("build/static/govuk-frontend.min.css").exists(), reason="assets not built (make assets)")
def test_serve_logs_django_requests_and_sums_snapshot_hits(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "WATCHKEEPER_VAR_DIR": str(tmp_path),
        "STATIC_ROOT": str(tmp_path / "static"),
        "STATUSPAGE_SNAPSHOT_DIR": str(tmp_path / "statuspage"),
        "LOG_LEVEL": "INFO",
        "ACCESS_LOG_SNAPSHOT_SECONDS": "0",  # a summary at every hit, so the test need not wait a minute
    }
    for step in (["migrate"], ["manage", "collectstatic", "--no-input", "--verbosity", "0"], ["statuspage", "export"]):
        assert run(*step, env=env).returncode == 0
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [WATCHKEEPER, "serve", "--port", str(port), "--workers", "1", "--no-worker"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            assert wait_for(f"http://127.0.0.1:{port}/sign-in?next=/secret-token").status == 200
            for _ in range(3):
                assert wait_for(f"http://127.0.0.1:{port}/status/").status == 200
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=30)
    text = log.read_text()
    assert re.search(r"^\S+ \S+ 127\.0\.0\.1 GET /sign-in 200 \d+ [\d.]+ms$", text, re.MULTILINE), text
    assert "secret-token" not in text  # query strings can hold tokens
    assert re.search(r"status page snapshot: 1 requests in \d+ s \(200 1\)", text), text
    assert "GET /status/" not in text  # snapshot hits are summed, not logged one by one

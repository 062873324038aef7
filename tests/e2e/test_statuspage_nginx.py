"""The README's nginx recipe (docs/nginx/statuspage.conf), run as written in front of `watchkeeper serve`.

nginx must answer the status page from the snapshot folder with the bytes and headers the built-in server sends,
and pick up a new snapshot as soon as the node has written it: the files are replaced by renames, never in place.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.test_cli import WATCHKEEPER, run
from tests.e2e.test_serve import free_port, wait_for

# nginx and the snapshot folder do not depend on the database: one CI pass runs it.
pytestmark = pytest.mark.sqlite_pass

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("nginx_recipe", ROOT / "bench" / "nginx_recipe.py")
assert _spec is not None and _spec.loader is not None
recipe = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(recipe)

NGINX = recipe.nginx_binary()
# Headers an operator's caches and browsers act on; ETag and Last-Modified are each server's own.
SAME_HEADERS = (
    "Content-Type",
    "Content-Encoding",
    "Cache-Control",
    "Content-Security-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Access-Control-Allow-Origin",
)
POST_UPDATE = """
from watchkeeper.statuspage import services
from watchkeeper.statuspage.models import PublicIncident
open_ones = PublicIncident.objects.filter(kind="incident", incident__isnull=False).exclude(status="resolved")
public = open_ones.order_by("id").first()
services.post_update(public.incident.incident_lead, public, status=public.status, body="{marker}", notify=False)
"""


@pytest.fixture
def world() -> Iterator[Path]:
    # Not tmp_path: nginx's workers run as another user, and pytest's folders are readable by their owner only.
    folder = Path(tempfile.mkdtemp(prefix="wk-nginx-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def fetch(url: str, gzip: bool) -> tuple[bytes, dict[str, str | None]]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"} if gzip else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read(), {name: response.headers.get(name) for name in SAME_HEADERS}


@pytest.mark.skipif(NGINX is None, reason="nginx is not installed")
@pytest.mark.skipif(not Path("build/static/govuk-frontend.min.css").exists(), reason="assets not built (make assets)")
def test_nginx_serves_the_snapshot_as_watchkeeper_serve_does_and_follows_a_new_one(world: Path) -> None:
    snapshot = world / "statuspage"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{world / 'serve.sqlite3'}",
        "WATCHKEEPER_VAR_DIR": str(world),
        "STATIC_ROOT": str(world / "static"),
        "STATUSPAGE_SNAPSHOT_DIR": str(snapshot),
    }
    for step in (["migrate"], ["manage", "collectstatic", "--no-input", "--verbosity", "0"], ["demo"]):
        assert run(*step, env=env).returncode == 0, step
    app_port, nginx_port = free_port(), free_port()
    serve = subprocess.Popen([WATCHKEEPER, "serve", "--port", str(app_port), "--workers", "1"], env=env)
    config = recipe.write_config(world / "nginx", f"127.0.0.1:{nginx_port}", snapshot, f"127.0.0.1:{app_port}")
    assert NGINX is not None
    nginx = subprocess.Popen([NGINX, "-p", str(world / "nginx"), "-c", str(config), "-g", "daemon off;"])
    try:
        wait_for(f"http://127.0.0.1:{app_port}/status/")
        wait_for(f"http://127.0.0.1:{nginx_port}/status/")
        incident = sorted((snapshot / "incidents").glob("*.html"))[0].stem
        paths = ["/status/", "/status/api/v2/summary.json", f"/status/incidents/{incident}"]
        for path in paths:
            for gzip in (False, True):
                ours = fetch(f"http://127.0.0.1:{app_port}{path}", gzip)
                theirs = fetch(f"http://127.0.0.1:{nginx_port}{path}", gzip)
                assert theirs == ours, (path, gzip)
        assert fetch(f"http://127.0.0.1:{nginx_port}/status/", True)[1]["Content-Encoding"] == "gzip"
        # Everything else goes through to the app.
        sign_in, _ = fetch(f"http://127.0.0.1:{nginx_port}/sign-in", False)
        assert b"Sign in to Watchkeeper" in sign_in

        marker = f"Fixed by nginx test {time.time_ns()}"
        assert run("manage", "shell", "-c", POST_UPDATE.format(marker=marker), env=env).returncode == 0
        deadline = time.monotonic() + 60
        while marker.encode() not in fetch(f"http://127.0.0.1:{nginx_port}/status/", False)[0]:
            assert time.monotonic() < deadline, "nginx never served the new snapshot"
            time.sleep(0.2)
        assert fetch(f"http://127.0.0.1:{nginx_port}/status/", False) == fetch(
            f"http://127.0.0.1:{app_port}/status/", False
        )
    finally:
        nginx.send_signal(signal.SIGQUIT)
        serve.send_signal(signal.SIGINT)
        assert nginx.wait(timeout=30) == 0
        assert serve.wait(timeout=30) == 0

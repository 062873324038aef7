"""`serve` and `demo` prepare their own assets when nobody ran collectstatic, or refuse in one line when they cannot."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_cli import WATCHKEEPER, run
from tests.e2e.test_serve import free_port, wait_for
from watchkeeper.cli import main

# Process supervision and start-up checks do not depend on the database: one CI pass runs them.
pytestmark = pytest.mark.sqlite_pass

needs_assets = pytest.mark.skipif(
    not Path("build/static/govuk-frontend.min.css").exists(), reason="assets not built (make assets)"
)


def fresh(tmp_path: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
        "WATCHKEEPER_VAR_DIR": str(tmp_path),
        "STATIC_ROOT": str(tmp_path / "never-collected"),
        "STATUSPAGE_SNAPSHOT_DIR": str(tmp_path / "statuspage"),
    }


def manifest_paths(env: dict[str, str]) -> dict[str, str]:
    return dict(json.loads((Path(env["STATIC_ROOT"]) / "staticfiles.json").read_text())["paths"])


@needs_assets
def test_demo_before_collectstatic_collects_first(tmp_path: Path) -> None:
    env = fresh(tmp_path)
    assert run("migrate", env=env).returncode == 0
    demo = run("demo", "--empty", env=env)
    assert demo.returncode == 0, demo.stderr
    assert "Traceback" not in demo.stderr
    assert demo.stdout.splitlines()[0] == f"Collected static assets into {env['STATIC_ROOT']}"
    assert "govuk-frontend.min.css" in manifest_paths(env)
    again = run("demo", "--empty", env=env)
    assert "Collected" not in again.stdout  # already there: nothing done twice


@needs_assets
def test_serve_straight_after_migrate_answers_pages_not_500(tmp_path: Path) -> None:
    env = {**os.environ, **fresh(tmp_path)}
    assert run("migrate", env=env).returncode == 0
    port = free_port()
    process = subprocess.Popen(
        [WATCHKEEPER, "serve", "--port", str(port), "--workers", "1", "--no-worker"],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        page = wait_for(f"http://127.0.0.1:{port}/sign-in")
        assert page.status == 200
        css = manifest_paths(env)["govuk-frontend.min.css"]
        assert f"/assets/{css}".encode() in page.read()
        assert wait_for(f"http://127.0.0.1:{port}/assets/{css}").status == 200
    finally:
        process.terminate()
        out, _ = process.communicate(timeout=15)
    assert out.splitlines()[0] == f"Collected static assets into {env['STATIC_ROOT']}"


@pytest.mark.django_db
@pytest.mark.parametrize("command", [["serve", "--no-worker"], ["demo"]])
def test_without_the_frontend_build_they_refuse_in_one_line(
    command: list[str], tmp_path: Path, settings: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.STATIC_ROOT = str(tmp_path / "never-collected")
    settings.STATICFILES_DIRS = [str(tmp_path / "no-build")]  # as if `make assets` never ran
    with pytest.raises(SystemExit) as exit_info:
        main(command)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "run `make assets` first" in err
    assert not (tmp_path / "never-collected" / "staticfiles.json").exists()

"""A web process leaves what it loaded at start-up out of the garbage collector's full passes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_the_wsgi_module_freezes_what_it_loaded(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "WATCHKEEPER_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "LOG_LEVEL": "WARNING",
    }
    script = "import gc, watchkeeper.wsgi; print(gc.get_freeze_count())"
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.strip()) > 10_000  # Django and the apps, not a handful of objects

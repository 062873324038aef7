"""Every benchmark still runs: `make bench` with tiny sizes, so the scripts cannot rot between releases.

The figures of a quick run are too small to mean anything; this checks that each script runs to its end and
reports its figures into the table, not what the figures are (bench/all.py without --quick does that).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# With DATABASE_URL on PostgreSQL the quick run measures both databases, so CI runs it once, in that pass.
pytestmark = pytest.mark.postgres_pass

ROOT = Path(__file__).resolve().parents[2]


def test_every_benchmark_runs_and_reports_its_figures(tmp_path: Path) -> None:
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "all.py"), "--quick"],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    table = result.stdout.rsplit("\nbenchmark ", 1)[1]
    for bench in ("notify", "register"):
        assert f"\n{bench} " in table, table
    assert "statuspage " in table, table  # the fan-out always runs; the HTTP part needs wrk and nginx

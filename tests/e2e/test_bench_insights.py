"""A tiny run of bench/insights.py, so the benchmark keeps working; and its refusal to empty a database."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _bench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "bench" / "insights.py"), *args],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
        check=False,
    )


def test_a_tiny_bench_run_prints_p95(tmp_path: Path) -> None:
    result = _bench("--incidents", "40", "--runs", "2", "--database", f"sqlite:///{tmp_path / 'bench.sqlite3'}")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "generated 40 incidents" in result.stdout
    assert "summary, whole year" in result.stdout and "p95 s" in result.stdout


def test_the_bench_refuses_to_empty_a_database_it_did_not_create(tmp_path: Path) -> None:
    path = tmp_path / "precious.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE precious (value text)")
        db.execute("INSERT INTO precious VALUES ('keep me')")
    result = _bench("--incidents", "5", "--runs", "1", "--database", f"sqlite:///{path}")
    assert result.returncode == 2
    assert "refusing" in result.stdout
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT value FROM precious").fetchall() == [("keep me",)]
        assert [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")] == ["precious"]

"""One figure as a benchmark reports it: printed by the script, and kept for `make bench`'s table.

Each benchmark calls record() for every figure that has a goal. When BENCH_RESULTS names a file (bench/all.py
sets it), the figure is appended there as a JSON line, so the table at the end is built from what the scripts
measured, not from their printed text.
"""

from __future__ import annotations

import json
import os


def record(bench: str, figure: str, value: float, unit: str, goal: str, met: bool, database: str = "") -> None:
    target = os.environ.get("BENCH_RESULTS")
    if not target:
        return
    row = {"bench": bench, "figure": figure, "value": value, "unit": unit, "goal": goal, "met": met, "db": database}
    with open(target, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(row) + "\n")

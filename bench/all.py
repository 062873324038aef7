"""`make bench`: every benchmark, one after another, then one table of each figure beside its goal.

PostgreSQL joins when BENCH_POSTGRES_URL or DATABASE_URL names a server: the benchmarks then use databases of
their own on it, named after the URL's database (NAME_bench_*), and never the database the URL names; so people
sharing one server, each with their own URL, never drop each other's scratch databases.

    .venv/bin/python bench/all.py [--quick]     # --quick: tiny sizes, to check the scripts still run
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from results import GOAL_MISSED  # noqa: E402 (bench/ is not a package)

# Each benchmark with its full-size arguments and a quick set that only proves the script still works.
SCRIPTS: dict[str, tuple[list[str], list[str]]] = {
    "statuspage.py": (
        [],
        [
            *["--seconds", "1", "--connections", "10", "--publishes", "3"],
            *["--emails", "20", "--webhooks", "3", "--subscribers", "30"],
        ],
    ),
    "notify.py": ([], ["--incidents", "3", "--idle-runs", "1", "--interval", "0.2"]),
    "register.py": ([], ["--incidents", "200", "--requests", "2"]),
    "insights.py": ([], ["--incidents", "200", "--runs", "2"]),
    "oncall.py": ([], ["--schedules", "5", "--lookups", "20", "--pages", "2", "--interval", "0.2"]),
    "alerts.py": ([], ["--seconds", "2", "--replay", "20"]),
}


def postgres_server() -> str:
    """A PostgreSQL URL from the environment without any query string, or ''."""
    for name in ("BENCH_POSTGRES_URL", "DATABASE_URL"):
        url = os.environ.get(name, "")
        if url.startswith(("postgres://", "postgresql://")):
            return url.split("?", 1)[0]
    return ""


def run(script: str, arguments: list[str], results: Path, postgres: str) -> int:
    env = {**os.environ, "BENCH_RESULTS": str(results)}
    env.pop("DATABASE_URL", None)
    env.pop("BENCH_POSTGRES_URL", None)
    if postgres:
        server, prefix = postgres.rsplit("/", 1)
        env["BENCH_POSTGRES_URL"] = f"{server}/{prefix or 'watchkeeper'}_bench_{script.removesuffix('.py')}"
    print(f"\n== {script} {' '.join(arguments)}", flush=True)
    started = time.monotonic()
    code = subprocess.run([sys.executable, str(BENCH / script), *arguments], env=env).returncode
    print(f"== {script}: exit {code} after {time.monotonic() - started:.0f} s", flush=True)
    return code


def table(results: Path) -> bool:
    rows = [json.loads(line) for line in results.read_text().splitlines() if line.strip()]
    print(f"\n{'benchmark':<12} {'database':<10} {'figure':<52} {'value':>12} {'goal':<18} met")
    for row in rows:
        value = f"{row['value']:.2f} {row['unit']}".strip()
        print(
            f"{row['bench']:<12} {row['db'] or '-':<10} {row['figure']:<52} {value:>12} {row['goal']:<18} "
            f"{'yes' if row['met'] else 'NO'}"
        )
    return bool(rows) and all(row["met"] for row in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: check that every script runs")
    parser.add_argument("--only", nargs="*", default=[], help="run only these scripts")
    args = parser.parse_args()
    results = Path(tempfile.mkdtemp(prefix="wk-bench-all-")) / "results.jsonl"
    results.touch()
    postgres = postgres_server()
    failed = []
    for script, (full, quick) in SCRIPTS.items():
        if args.only and script not in args.only:
            continue
        if run(script, quick if args.quick else full, results, postgres) not in (0, GOAL_MISSED):
            failed.append(script)
    met = table(results)
    if failed:
        print(f"\nfailed to run: {', '.join(failed)}")
        sys.exit(2)
    # Quick runs check that the scripts work; their figures are too small to hold to the goals.
    sys.exit(0 if met or args.quick else GOAL_MISSED)


if __name__ == "__main__":
    main()

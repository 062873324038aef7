"""Insights benchmark: the summary (GET /api/v1/insights) over 10,000 incidents with timelines, p50 and p95.

Generates a year of incidents with bulk_create across 40 services on 8 teams: milestones, 1-4 updates each,
resolutions, a few reopenings, reviews, actions and reminders. Then times the summary a signed-in admin gets (every
incident in the year, and one team), and the CSV export once. The goal in issue 14 is under 1 s at p95.

    .venv/bin/python bench/insights.py [--incidents 10000] [--runs 20] [--database URL] [--empty-database]

With no --database it runs on a scratch SQLite file, then on PostgreSQL too if BENCH_POSTGRES_URL (or DATABASE_URL)
names one: on a database of its own beside the named one (h14 becomes h14_bench_insights), so people sharing a server
each get their own and never flush each other's. It never empties a database it did not create: a database with
tables and without this bench's marker is refused (exit 2) unless --empty-database says it may be flushed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from databases import ensure_database  # noqa: E402 (bench/ is not a package)
from results import GOAL_MISSED, record  # noqa: E402

MARKER = "bench_insights_marker"
SCRATCH_SUFFIX = "_bench_insights"
SERVICES, TEAMS = 40, 8
GOAL_S = 1.0


def percentile(values: list[float], share: float) -> float:
    """Nearest rank, as the insights figures use it: the smallest value with ``share`` of them at or below."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(round(share * len(ordered), 9))) - 1]


def scratch_postgres(url: str) -> str:
    """The bench's own database on the server a URL names: the named database's name with a suffix.

    Everyone's URL names a database of their own, so the scratch names differ too; bench/all.py hands over a name
    that already has the suffix, and it is kept.
    """
    base, name = url.rsplit("/", 1)
    return url if name.endswith(SCRATCH_SUFFIX) else f"{base}/{name}{SCRATCH_SUFFIX}"


def _prepare(database_url: str, scratch: Path, may_empty: bool) -> None:
    os.environ["WATCHKEEPER_VAR_DIR"] = str(scratch)
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "watchkeeper.settings")
    sys.path[:0] = [str(ROOT / "src")]
    ensure_database(database_url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()  # lets the test client in as "testserver"
    tables = set(connection.introspection.table_names())
    if tables and MARKER not in tables and not may_empty:
        print(f"refusing: {database_url.split('@')[-1]} has tables this bench did not create; pass --empty-database")
        sys.exit(2)
    call_command("migrate", "--no-input", verbosity=0)
    call_command("collectstatic", "--no-input", verbosity=0)  # the status page snapshot renders as services appear
    if tables:
        call_command("flush", "--no-input", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {MARKER} (created_at varchar(40))")


def _incident(number: int, service: Any, lead: Any, declared: datetime, chance: random.Random) -> Any:
    from watchkeeper.incidents.models import Incident

    resolved = declared + timedelta(minutes=chance.randint(30, 4000)) if chance.random() < 0.95 else None
    responded = declared + timedelta(minutes=chance.randint(1, 150))
    return Incident(
        reference=f"INC-{declared.year}-{number + 1:05d}",
        title=f"Incident {number}: {chance.choice(['payments', 'logins', 'texts', 'uploads'])} failing",
        service=service,
        priority=chance.choice(["P1", "P2", "P2", "P3", "P3", "P4"]),
        status="resolved" if resolved else "investigating",
        restricted=chance.random() < 0.02,
        exercise=chance.random() < 0.01,
        reported_at=declared - timedelta(minutes=chance.randint(0, 45)),
        impact_started_at=declared - timedelta(minutes=chance.randint(0, 45)),
        detected_at=declared,
        declared_at=declared,
        declared_by=lead,
        incident_lead=lead,
        respond_by=declared + timedelta(hours=1),
        response_met_at=responded,
        acknowledged_at=declared + timedelta(minutes=chance.randint(0, 30)),
        responded_at=responded,
        mitigated_at=resolved - timedelta(minutes=10) if resolved else None,
        first_update_by=declared + timedelta(hours=2),
        resolved_at=resolved,
    )


def _generate(count: int) -> Any:
    """The incidents, their timelines, reviews, actions and reminders; returns the admin who reads the summary."""
    from watchkeeper.accounts.services import create_user
    from watchkeeper.catalogue import services as catalogue
    from watchkeeper.incidents.models import Incident, TimelineEntry
    from watchkeeper.notifications.models import Delivery
    from watchkeeper.reviews.models import Action, Review

    admin = create_user("bench-admin", email="", groups=["admin"], password="bench-password-not-used")
    lead = create_user("bench-lead", email="", groups=["responder"], password="bench-password-not-used")
    teams = [catalogue.create_team(slug=f"team-{n}", name=f"Team {n}") for n in range(TEAMS)]
    services = [
        catalogue.create_service(slug=f"service-{n}", name=f"Service {n}", team=teams[n % TEAMS])
        for n in range(SERVICES)
    ]
    chance = random.Random(14)
    now = datetime.now(UTC)
    first = now - timedelta(days=360)
    started = time.perf_counter()
    step = timedelta(days=355) / count
    Incident.objects.bulk_create(
        [_incident(n, services[n % SERVICES], lead, first + n * step, chance) for n in range(count)], batch_size=1000
    )
    entries, reviews, actions, deliveries = [], [], [], []
    for incident in Incident.objects.all().iterator(chunk_size=2000):
        entries.append(TimelineEntry(incident=incident, at=incident.declared_at, kind="declared", text="Declared"))
        for k in range(chance.randint(1, 4)):
            at = incident.declared_at + timedelta(minutes=chance.randint(20, 140) * (k + 1))
            if incident.resolved_at is None or at < incident.resolved_at:
                entries.append(TimelineEntry(incident=incident, at=at, kind="update", text="Update"))
        if incident.resolved_at:
            entries.append(TimelineEntry(incident=incident, at=incident.resolved_at, kind="resolved", text="Resolved"))
            due = incident.resolved_at + timedelta(days=7)
            held = due + timedelta(days=chance.randint(-5, 3)) if chance.random() < 0.8 else None
            reviews.append(Review(incident=incident, due_by=due, held_at=held))
            actions.append(Action(incident=incident, title="Fix", owner=lead, due_at=due, created_at=due))
        if chance.random() < 0.2:
            deliveries.append(
                Delivery(
                    key=f"bench-{incident.pk}", incident=incident, event="reminder.update_due", kind="email",
                    recipient="x@example.gov.uk", payload={}, status="sent", created_at=incident.declared_at,
                )
            )  # fmt: skip
    TimelineEntry.objects.bulk_create(entries, batch_size=2000)
    Review.objects.bulk_create(reviews, batch_size=2000)
    Action.objects.bulk_create(actions, batch_size=2000)
    Delivery.objects.bulk_create(deliveries, batch_size=2000)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # autovacuum would have, long before anyone reads a year of figures
    print(
        f"generated {count:,} incidents and {len(entries):,} timeline entries in {time.perf_counter() - started:.1f} s"
    )
    return admin


def _time(client: Any, path: str, query: dict[str, str], runs: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds per request: on a shared machine the second says what the code costs."""
    times, cpu = [], []
    for _ in range(runs):
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get(path, query)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
        assert response.status_code == 200, response.content[:300]
    return times, cpu


def _profile(admin: Any) -> None:
    import cProfile
    import pstats

    from django.utils import timezone

    from watchkeeper.insights import measures
    from watchkeeper.insights.forms import parse_scope

    scope = parse_scope({}, timezone.localdate())
    profiler = cProfile.Profile()
    profiler.runcall(measures.summary, admin, scope, timezone.now())
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


def run_one(database_url: str, count: int, runs: int, may_empty: bool) -> bool:
    scratch = Path(tempfile.mkdtemp(prefix="wk-bench-insights-"))
    _prepare(database_url, scratch, may_empty)
    admin = _generate(count)
    from django.test import Client

    from watchkeeper.accounts.services import create_token

    if os.environ.get("BENCH_PROFILE"):
        _profile(admin)
    client = Client(headers={"Authorization": f"Bearer {create_token(admin.username)}"})
    today = datetime.now(UTC).date()
    year = {"from": (today - timedelta(days=364)).isoformat(), "to": today.isoformat()}
    first = client.get("/api/v1/insights", year).json()["overall"]
    database = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    print(f"database: {database}")
    print(f"summary covers {first['count']:,} incidents; response met {json.dumps(first['response_met'])}")
    # Wall time waits for a busy machine's CPUs and CPU time does not, so each line shows both and the load.
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'request':<34} {'p50 s':>7} {'p95 s':>7} {'CPU p50':>8} {'CPU p95':>8} {'load':>5}  goal (p95)")
    scenarios = [
        ("summary, whole year", "/api/v1/insights", year, runs),
        ("summary, one team", "/api/v1/insights", {**year, "team": "team-3"}, runs),
        ("CSV export, whole year", "/api/v1/insights/incidents", {**year, "format": "csv"}, max(1, runs // 5)),
    ]
    met = True
    for name, path, query, requests in scenarios:
        times, cpu = _time(client, path, query, requests)
        p95, goal = percentile(times, 0.95), ""
        if name.startswith("summary"):
            goal = f"under {GOAL_S:g} s: {'met' if p95 < GOAL_S else 'MISSED'}"
            figure = f"insights {name}, p95 ({count:,} incidents)"
            record("insights", figure, p95, "s", f"under {GOAL_S:g} s", p95 < GOAL_S, database)
            met = met and p95 < GOAL_S
        print(
            f"{name:<34} {statistics.median(times):>7.3f} {p95:>7.3f}"
            f" {statistics.median(cpu):>8.3f} {percentile(cpu, 0.95):>8.3f} {os.getloadavg()[0]:>5.1f}  {goal}"
        )
    return met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=20, help="requests per scenario")
    parser.add_argument("--database", help="one database URL only (run in this process)")
    parser.add_argument("--empty-database", action="store_true", help="allow flushing a database with other tables")
    args = parser.parse_args()
    if args.database:
        sys.exit(0 if run_one(args.database, args.incidents, args.runs, args.empty_database) else GOAL_MISSED)
    scratch = Path(tempfile.mkdtemp(prefix="wk-bench-insights-"))
    targets = [f"sqlite:///{scratch / 'bench.sqlite3'}"]
    postgres = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("DATABASE_URL", "")
    if postgres.startswith("postgres"):
        targets.append(scratch_postgres(postgres))
    status = 0
    for url in targets:
        command = [sys.executable, __file__, "--database", url, "--incidents", str(args.incidents)]
        command += ["--runs", str(args.runs)] + (["--empty-database"] if args.empty_database else [])
        status = max(status, subprocess.run(command, check=False).returncode)
    sys.exit(status)


if __name__ == "__main__":
    main()

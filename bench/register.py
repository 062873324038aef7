"""Register benchmark: the register page and its CSV export with 100,000 incidents.

Generates the incidents with bulk_create (ten years of them across 40 services, most resolved and reviewed), then
prints p50/p95 of the register page as a signed-in admin sees it (first page, sorted, filtered and a deep page),
and the time and peak resident memory of streaming the whole CSV and XLSX exports, each in a process of its own so
the figure is the export's peak, not the generator's. Goals (issue 16): page p95 under 300 ms, export peak RSS under
200 MB.

    .venv/bin/python bench/register.py [--incidents 100000] [--requests 30] [--database URL]

With no --database it runs on a scratch SQLite file, then on PostgreSQL too when BENCH_POSTGRES_URL or DATABASE_URL
names one. BENCH_POSTGRES_URL's database is DROPPED and re-made, so it must be a scratch one; from DATABASE_URL
(.../NAME) the bench uses .../NAME_bench_register, so two people sharing a server never share a scratch database.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
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

from databases import fresh_database  # noqa: E402 (bench/ is not a package)
from results import GOAL_MISSED, record  # noqa: E402

SERVICES = 40
TEAMS = 8
YEARS = 10


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _django(database_url: str, scratch: Path, migrate: bool = True) -> None:
    os.environ["WATCHKEEPER_VAR_DIR"] = str(scratch)
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "watchkeeper.settings")
    sys.path[:0] = [str(ROOT / "src")]
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()  # lets the test client in as "testserver"
    if migrate:
        call_command("migrate", "--no-input", verbosity=0)
        call_command("collectstatic", "--no-input", verbosity=0)


def _generate(count: int) -> Any:
    """The incidents and their reviews, written in batches; returns the admin who reads the register."""
    from watchkeeper.accounts.services import create_user
    from watchkeeper.catalogue import services as catalogue
    from watchkeeper.incidents.models import Incident, ReferenceCounter
    from watchkeeper.reviews.models import Review, RootCause

    admin = create_user("bench-admin", email="", groups=["admin"], password="bench-password-not-used")
    leads = [create_user(f"lead{n}", email="", groups=["responder"], password="bench-password-not-used") for n in "ab"]
    teams = [catalogue.create_team(slug=f"team-{n}", name=f"Team {n}") for n in range(TEAMS)]
    services = [
        catalogue.create_service(slug=f"service-{n}", name=f"Service {n}", team=teams[n % TEAMS])
        for n in range(SERVICES)
    ]
    chance = random.Random(6)
    first_year = datetime.now(UTC).year - YEARS
    per_year = -(-count // YEARS)
    started = time.perf_counter()
    for batch_start in range(0, count, 5000):
        incidents, reviews = [], []
        for number in range(batch_start, min(count, batch_start + 5000)):
            year, within = first_year + number // per_year, number % per_year
            declared = datetime(year, 1, 1, tzinfo=UTC) + timedelta(minutes=within * (525_000 // per_year))
            resolved = declared + timedelta(minutes=chance.randint(20, 3000)) if chance.random() < 0.97 else None
            reviewed = resolved is not None and chance.random() < 0.8
            incidents.append(
                Incident(
                    reference=f"INC-{year}-{within + 1:04d}",
                    title=f"Incident {number}: {chance.choice(['payments', 'logins', 'texts', 'uploads'])} failing",
                    service=services[number % SERVICES],
                    priority=chance.choice(["P1", "P2", "P3", "P3", "P4", "P4"]),
                    status="closed" if reviewed else "resolved" if resolved else "investigating",
                    restricted=chance.random() < 0.02,
                    reported_at=declared - timedelta(minutes=chance.randint(0, 60)),
                    declared_at=declared,
                    declared_by=leads[number % 2],
                    incident_lead=leads[number % 2],
                    comms_lead=leads[(number + 1) % 2],
                    respond_by=declared + timedelta(hours=1),
                    response_met_at=declared + timedelta(minutes=chance.randint(1, 90)),
                    first_update_by=declared + timedelta(hours=2),
                    last_update_at=declared + timedelta(minutes=chance.randint(30, 200)),
                    resolved_at=resolved,
                    closed_at=resolved + timedelta(days=5) if reviewed and resolved else None,
                )
            )
        Incident.objects.bulk_create(incidents, batch_size=1000)
        for incident in Incident.objects.filter(status="closed", review__isnull=True).only("id", "resolved_at"):
            assert incident.resolved_at is not None
            held = incident.resolved_at + timedelta(days=4)
            reviews.append(
                Review(
                    incident_id=incident.pk,
                    held_at=held,
                    recorded_at=held,
                    root_cause="Generated",
                    root_cause_category=chance.choice(RootCause.values),
                )
            )
        Review.objects.bulk_create(reviews, batch_size=1000)
    ReferenceCounter.objects.bulk_create(
        [ReferenceCounter(year=first_year + n, last=per_year) for n in range(YEARS + 1)], ignore_conflicts=True
    )
    print(f"generated {Incident.objects.count():,} incidents in {time.perf_counter() - started:.1f} s")
    return admin


def _page_times(client: Any, query: dict[str, str], requests: int) -> tuple[list[float], list[float]]:
    """Wall and CPU ms of each load; CPU is this process's (Django, and SQLite's queries; not PostgreSQL's)."""
    times, cpu = [], []
    for _ in range(requests):
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get("/reviews/register", query)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
        assert response.status_code == 200, response.status_code
    return times, cpu


def _export_child(database_url: str, scratch: Path, path: str) -> None:
    """Streams one export as the admin and prints its seconds and bytes; run in a process of its own."""
    _django(database_url, scratch, migrate=False)
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username="bench-admin"))
    started = time.perf_counter()
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    size = sum(len(chunk) for chunk in response.streaming_content)
    print(f"{time.perf_counter() - started} {size} {_own_peak_mb()}")


def _own_peak_mb() -> float:
    """This process's peak resident memory since it started Python.

    Not getrusage: on Linux a child's ru_maxrss starts from its parent's size at fork, so it would report the
    generator's peak; VmHWM belongs to the process image exec made.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _export(database_url: str, scratch: Path, path: str) -> tuple[float, int, float]:
    """Seconds, bytes and the peak resident MB of a process that only streams the export (Django included)."""
    command = [sys.executable, __file__, "--database", database_url, "--export", path]
    env = {**os.environ, "BENCH_REGISTER_SCRATCH": str(scratch)}
    out = subprocess.run(command, stdout=subprocess.PIPE, text=True, env=env, check=True).stdout
    seconds, size, peak = out.split()
    return float(seconds), int(size), float(peak)


def run_one(database_url: str, scratch: Path, incidents: int, requests: int) -> bool:
    fresh_database(database_url)
    _django(database_url, scratch)
    database = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    print(f"database: {database}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    admin = _generate(incidents)

    from django.db import connections
    from django.test import Client

    client = Client()
    client.force_login(admin)
    client.get("/reviews/register")  # warm the template cache and the database's pages
    scenarios = {
        "first page, newest first": {},
        "sorted by title": {"sort": "title"},
        "one service, P1 only": {"service": "service-3", "priority": "P1"},
        "page 1000": {"page": "1000"},
    }
    # On a shared machine the wall times follow the load; the CPU times are the steadier figure.
    print(f"{'register page':<28} {'p50 ms':>8} {'p95 ms':>8} {'CPU p50':>8} {'CPU p95':>8}")
    met = True
    for name, query in scenarios.items():
        times, cpu = _page_times(client, query, requests)
        p95 = percentile(times, 0.95)
        print(
            f"{name:<28} {statistics.median(times):>8.0f} {p95:>8.0f}"
            f" {statistics.median(cpu):>8.0f} {percentile(cpu, 0.95):>8.0f}"
        )
        figure = f"register page p95, {name} ({incidents:,} incidents)"
        record("register", figure, p95, "ms", "under 300 ms", p95 < 300, database)
        met = met and p95 < 300
    connections.close_all()  # the export children read the same database
    generator_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"(the generating process peaked at {generator_rss:.0f} MB; each export below ran alone)")
    for label, path in (("CSV export", "/reviews/register.csv"), ("XLSX export", "/reviews/register.xlsx")):
        seconds, size, rss = _export(database_url, scratch, path)
        print(f"{label}: {size / 1_000_000:.1f} MB in {seconds:.1f} s, peak RSS {rss:.0f} MB (goal under 200 MB)")
        figure = f"{label} peak RSS ({size / 1_000_000:.1f} MB out)"
        record("register", figure, rss, "MB", "under 200 MB", rss < 200, database)
        met = met and rss < 200
    return met


def _postgres_target() -> str:
    """BENCH_POSTGRES_URL as given (a scratch database), or one named after DATABASE_URL's, or ''."""
    if (url := os.environ.get("BENCH_POSTGRES_URL", "")).startswith("postgres"):
        return url
    if (url := os.environ.get("DATABASE_URL", "")).startswith("postgres"):
        base, name = url.rsplit("/", 1)
        return f"{base}/{name.split('?', 1)[0]}_bench_register"
    return ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=30, help="page loads per scenario")
    parser.add_argument("--database", help="one database URL only (run in this process); it is emptied")
    parser.add_argument("--export", help=argparse.SUPPRESS)  # the child that streams one export
    args = parser.parse_args()
    scratch = Path(os.environ.get("BENCH_REGISTER_SCRATCH") or tempfile.mkdtemp(prefix="wk-bench-register-"))
    if args.export:
        _export_child(args.database, scratch, args.export)
        return
    if args.database:
        sys.exit(0 if run_one(args.database, scratch, args.incidents, args.requests) else GOAL_MISSED)
    targets = [f"sqlite:///{scratch / 'bench.sqlite3'}"] + [url for url in [_postgres_target()] if url]
    status = 0
    for url in targets:
        command = [sys.executable, __file__, "--database", url, "--incidents", str(args.incidents)]
        command += ["--requests", str(args.requests)]
        env = {**os.environ, "BENCH_REGISTER_SCRATCH": str(scratch)}
        status = max(status, subprocess.run(command, check=False, env=env).returncode)
    sys.exit(status)


if __name__ == "__main__":
    main()

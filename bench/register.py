"""Register benchmark: the register page and its CSV export with 100,000 incidents.

Generates the incidents with bulk_create (ten years of them across 40 services, most resolved and reviewed), then
prints p50/p95 of the register page as a signed-in admin sees it (first page, sorted, filtered and a deep page),
and the time and peak Python memory (tracemalloc) while streaming the whole CSV export. Figures only, no pass/fail:
the goal in issue 6 is a register page under 300 ms at p95 and an export whose memory does not grow with the register.

    .venv/bin/python bench/register.py [--incidents 100000] [--requests 30]

SQLite in a scratch folder by default; PostgreSQL when BENCH_POSTGRES_URL is set, and that database is EMPTIED first,
so point it at a scratch database such as postgres://postgres@127.0.0.1:5432/wk_bench_register.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from databases import ensure_database  # noqa: E402 (bench/ is not a package)
from results import record  # noqa: E402

SERVICES = 40
TEAMS = 8
YEARS = 10


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _django(database_url: str, scratch: Path) -> None:
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
    if database_url.startswith("postgres"):
        ensure_database(database_url)
        call_command("flush", "--no-input", verbosity=0)
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


def _page_times(client: Any, query: dict[str, str], requests: int) -> list[float]:
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get("/reviews/register", query)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return times


def _export(client: Any, path: str) -> tuple[float, int, float]:
    """Seconds, bytes and peak MB of Python memory while the whole export streams through."""
    tracemalloc.start()
    started = time.perf_counter()
    response = client.get(path)
    size = 0
    for chunk in response.streaming_content:
        size += len(chunk)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, size, peak / 1_000_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=30, help="page loads per scenario")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="wk-bench-register-"))
    postgres = os.environ.get("BENCH_POSTGRES_URL", "")
    database_url = postgres or f"sqlite:///{scratch / 'bench.sqlite3'}"
    _django(database_url, scratch)
    database = "PostgreSQL" if postgres else "SQLite"
    print(f"database: {database}")
    admin = _generate(args.incidents)

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
    print(f"{'register page':<28} {'p50 ms':>8} {'p95 ms':>8}")
    met = True
    for name, query in scenarios.items():
        times = _page_times(client, query, args.requests)
        p95 = percentile(times, 0.95)
        print(f"{name:<28} {statistics.median(times):>8.0f} {p95:>8.0f}")
        figure = f"register page p95, {name} ({args.incidents:,} incidents)"
        record("register", figure, p95, "ms", "under 300 ms", p95 < 300, database)
        met = met and p95 < 300
    for label, path in (("CSV export", "/reviews/register.csv"), ("XLSX export", "/reviews/register.xlsx")):
        seconds, size, peak = _export(client, path)
        # The process's peak resident memory so far, generation included: an upper bound on the export's.
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"{label}: {size / 1_000_000:.1f} MB in {seconds:.1f} s, "
            f"peak Python memory {peak:.1f} MB, peak RSS {rss:.0f} MB"
        )
        record(
            "register",
            f"{label} peak RSS ({size / 1_000_000:.1f} MB out)",
            rss,
            "MB",
            "under 200 MB",
            rss < 200,
            database,
        )
        met = met and rss < 200
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()

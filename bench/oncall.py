"""On-call benchmark: who-is-on-call p95 over 200 schedules with overrides, and trigger-to-first-SMS p95.

Who is on call is measured as the API answers it: load the schedule (layers, members, overrides) and work out
the shift at a random instant over the next year. Trigger to first SMS runs a real `watchkeeper worker` and the
local GOV.UK Notify fake, and measures from trigger_page's commit to the fake receiving the text message.
Goals: under 5 ms and under 2 s.

    .venv/bin/python bench/oncall.py [--schedules 200] [--lookups 2000] [--pages 40] [--postgres URL]
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from databases import fresh_database  # noqa: E402 (bench/ is not a package)
from results import GOAL_MISSED, record  # noqa: E402

sys.path.insert(0, str(ROOT))
TEMPLATE = "f33517ff-2a88-4f6e-b855-c550268ce08a"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def build(schedules: int) -> list[str]:
    from watchkeeper.accounts.services import create_user
    from watchkeeper.catalogue import services as catalogue
    from watchkeeper.oncall import services as oncall

    admin = create_user("bench-admin", email="", groups=["admin"], password="bench-password-not-used")
    team = catalogue.create_team(slug="bench", name="Bench")
    people = [
        create_user(f"p{n}", email=f"p{n}@example.gov.uk", groups=["responder"], password="x" * 12) for n in range(40)
    ]
    rng = random.Random(13)
    slugs = []
    start = datetime(2026, 10, 19, 9, tzinfo=UTC)
    for number in range(schedules):
        members = [p.username for p in rng.sample(people, 5)]
        layers = [
            {"name": "Weekly", "members": members, "turn": "weekly", "turn_length": 1, "start": start.isoformat()},
            {
                "name": "Nights",
                "members": members[::-1],
                "turn": "daily",
                "turn_length": 1,
                "start": (start + timedelta(hours=8, minutes=30)).isoformat(),
                "restrict_to": "out_of_hours",
            },
        ]
        schedule = oncall.create_schedule(admin, slug=f"s{number}", name=f"S{number}", team="bench", layers=layers)
        for _ in range(10):
            begin = start + timedelta(hours=rng.randint(0, 24 * 300))
            oncall.add_override(
                admin, schedule, user=rng.choice(members), start=begin, end=begin + timedelta(hours=rng.randint(1, 48))
            )
        slugs.append(schedule.slug)
    _ = team
    return slugs


def who_is_on_call(slugs: list[str], lookups: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds per lookup: on a busy machine the CPU time is the figure to compare."""
    from watchkeeper.oncall import queries

    rng = random.Random(7)
    now = datetime(2026, 12, 2, tzinfo=UTC)
    timings, cpu = [], []
    for _ in range(lookups):
        slug, at = rng.choice(slugs), now + timedelta(minutes=rng.randint(0, 60 * 24 * 365))
        began, began_cpu = time.perf_counter(), time.process_time()
        queries.on_call(queries.schedules().get(slug=slug), at)
        timings.append((time.perf_counter() - began) * 1000)
        cpu.append((time.process_time() - began_cpu) * 1000)
    return timings, cpu


def first_sms(pages: int, database_url: str, interval: float) -> list[float]:
    from tests.fakes.notify import API_KEY, FakeNotify

    from watchkeeper.accounts.services import create_user
    from watchkeeper.oncall import services as oncall
    from watchkeeper.oncall.models import ContactMethod

    arrived: dict[str, float] = {}
    lock = threading.Lock()

    class Timed(FakeNotify):
        def reply(self, request: Any) -> Any:
            answer = super().reply(request)
            with lock:
                arrived.setdefault(request.json()["personalisation"]["reference"], time.time())
            return answer

    notify = Timed()
    user = create_user("paged", email="paged@example.gov.uk", groups=["responder"], password="x" * 12)
    ContactMethod.objects.create(user=user, kind="sms", address="07700900123")
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "NOTIFY_BASE_URL": notify.url,
        "NOTIFY_API_KEY": API_KEY,
        "WATCHKEEPER_ONCALL_SMS_TEMPLATE_ID": TEMPLATE,
        "LOG_LEVEL": "WARNING",
    }
    worker = subprocess.Popen(
        [str(Path(sys.executable).with_name("watchkeeper")), "worker", "--interval", str(interval)],
        env=env,
        stderr=subprocess.DEVNULL,
    )
    try:
        warm = oncall.trigger_page(summary="warm-up", users=[user])
        _wait(arrived, f"PAGE-{warm.pk}", 120)  # the worker's first task imports everything
        delays = []
        for _ in range(pages):
            page = oncall.trigger_page(summary="bench", users=[user])
            committed = time.time()  # trigger_page has returned, so its transaction has committed
            _wait(arrived, f"PAGE-{page.pk}", 30)
            delays.append(arrived[f"PAGE-{page.pk}"] - committed)
            time.sleep(random.uniform(0, interval))  # arrive at any point of the worker's poll
        return delays
    finally:
        worker.terminate()
        worker.wait(10)
        notify.close()


def _wait(arrived: dict[str, float], reference: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while reference not in arrived:
        if time.monotonic() > deadline:
            raise SystemExit(f"no text message for {reference} within {seconds} s")
        time.sleep(0.005)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--schedules", type=int, default=200)
    parser.add_argument("--lookups", type=int, default=2000)
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--interval", type=float, default=1.0, help="worker poll interval when idle (the default)")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL", ""))
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="wk-bench-oncall-"))
    url = args.postgres or f"sqlite:///{scratch / 'bench.sqlite3'}"
    os.environ.update(
        {
            "DATABASE_URL": url,
            "WATCHKEEPER_VAR_DIR": str(scratch),
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "watchkeeper.settings",
        }
    )
    fresh_database(url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--no-input", verbosity=0)
    database = "PostgreSQL" if args.postgres else "SQLite"
    slugs = build(args.schedules)
    timings, cpu = who_is_on_call(slugs, args.lookups)
    print(
        f"who is on call: {args.schedules} schedules (2 layers, 10 overrides each), {args.lookups} lookups: "
        f"p50 {percentile(timings, 0.5):.2f} ms, p95 {percentile(timings, 0.95):.2f} ms (goal under 5 ms); "
        f"CPU p50 {percentile(cpu, 0.5):.2f} ms, p95 {percentile(cpu, 0.95):.2f} ms; "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    lookup = percentile(timings, 0.95)
    record(
        "oncall", f"who is on call p95 ({args.schedules} schedules)", lookup, "ms", "under 5 ms", lookup < 5, database
    )
    delays = first_sms(args.pages, url, args.interval)
    print(
        f"trigger to first SMS at the local Notify fake, {args.pages} pages, 1 worker polling every {args.interval} s: "
        f"p50 {percentile(delays, 0.5):.2f} s, p95 {percentile(delays, 0.95):.2f} s (goal under 2 s)"
    )
    sms = percentile(delays, 0.95)
    record("oncall", "trigger to first SMS p95", sms, "s", "under 2 s", sms < 2, database)
    sys.exit(0 if lookup < 5 and sms < 2 else GOAL_MISSED)


if __name__ == "__main__":
    main()

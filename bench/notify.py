"""Notification benchmark: how fast incident events reach their channels, on SQLite and PostgreSQL, 1 and 4 workers.

200 incidents, each routed to 5 signed-webhook channels whose receiver takes 50 ms to answer. The incidents are
declared before the clock starts, with their deliveries held back, and released to the running workers at one
instant: the figure is the workers' delivery rate, not how fast this script can declare incidents (declaring one
costs about 100 ms of CPU, which would cap the rate at 10-25 a second). Prints messages a second from the release
to the last message recorded as sent, p50/p95 from the release, the workers' CPU per message and the load
average, then the 4:1 ratio. Separately, P1 declarations on an idle queue: p95 from commit until all 5 channels
have it (goal: under 1 s).

    .venv/bin/python bench/notify.py [--incidents 200] [--postgres postgres://postgres@127.0.0.1:5432/wk_bench]

Each scenario runs in its own process with a fresh database, because settings are read once per process. On
PostgreSQL the scratch databases are named after the URL's database (wk_bench_notify_1w, wk_bench_notify_4w), so
benches pointed at different databases on one server never drop each other's.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from databases import fresh_database  # noqa: E402 (bench/ is not a package)
from process_cpu import cpu_seconds  # noqa: E402
from results import GOAL_MISSED, record  # noqa: E402

CHANNELS = 5
LATENCY = 0.05
WHSEC = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _setup_world() -> tuple[Any, Any]:
    from tests.fakes.webhooks import WebhookReceiver

    from watchkeeper.accounts.services import create_user
    from watchkeeper.catalogue import services as catalogue
    from watchkeeper.notifications import services as notifications

    receiver = WebhookReceiver(WHSEC, latency=LATENCY)
    admin = create_user("bench-admin", email="", groups=["admin"], password="bench-password-not-used")
    team = catalogue.create_team(slug="bench", name="Bench")
    service = catalogue.create_service(slug="bench", name="Bench", team=team)
    for number in range(CHANNELS):
        channel = notifications.create_channel(
            admin, name=f"hook-{number}", kind="webhook", target=f"{receiver.url}/{number}", secret=WHSEC
        )
        notifications.create_route(admin, channel=channel, events=["incident.declared"])
    return receiver, (admin, service)


def _declare(actor: Any, service: Any, title: str) -> tuple[int, float]:
    from watchkeeper.incidents import services as incidents

    incident = incidents.declare(actor, title=title, service=service, priority="P1")
    return incident.pk, time.time()  # declare() has returned, so its transaction has committed


def _sent(incident_ids: list[int]) -> Any:
    from watchkeeper.notifications.models import Delivery, Status

    return Delivery.objects.filter(incident_id__in=incident_ids, status=Status.SENT)


def _sent_times(incident_ids: list[int]) -> dict[int, list[float]]:
    found: dict[int, list[float]] = {}
    for incident_id, sent_at in _sent(incident_ids).values_list("incident_id", "sent_at"):
        found.setdefault(incident_id, []).append(sent_at.timestamp())
    return found


def _wait_all_sent(incident_ids: list[int], timeout: float) -> dict[int, list[float]]:
    """Waits for every message, then reads when each was sent. The times come from the rows, not from this
    watch, so it looks with a count: fetching every sent row 20 times a second took a tenth of the machine from
    the workers and the database being measured. A backlog's count, over hundreds of incidents, took 5 ms of the
    database's CPU: it is looked at twice a second, which delays only this script's reading of the times."""
    sent = _sent(incident_ids)
    pause = 0.05 if len(incident_ids) == 1 else 0.5
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sent.count() >= len(incident_ids) * CHANNELS:
            return _sent_times(incident_ids)
        time.sleep(pause)
    raise SystemExit(f"timed out: {sent.count()} sent")


def _settle(procs: list[subprocess.Popen[bytes]]) -> None:
    """Waits until the workers have started up and only poll, so their start-up is neither timed nor counted."""
    deadline = time.monotonic() + 60
    before = sum(cpu_seconds(proc.pid) for proc in procs)
    while time.monotonic() < deadline:
        time.sleep(1)
        now = sum(cpu_seconds(proc.pid) for proc in procs)
        if now - before < 0.05 * len(procs):
            return
        before = now


def _deliveries() -> Any:
    from django_tasks_db.models import DBTaskResult

    from watchkeeper.notifications.tasks import deliver

    # Only the deliveries: the reminders that declaring scheduled keep their own times.
    return DBTaskResult.objects.filter(status="READY", task_path=deliver.module_path)


def _hold_all() -> None:
    """Defers every queued delivery far into the future: the backlog waits while the workers start."""
    from datetime import timedelta

    from django.utils import timezone

    _deliveries().update(run_after=timezone.now() + timedelta(days=1))


def _release() -> float:
    """Makes the whole held backlog ready at one instant (one UPDATE) and returns that instant."""
    from django.utils import timezone

    now = timezone.now()
    _deliveries().update(run_after=now)
    return now.timestamp()


def _drain_backlog(procs: list[subprocess.Popen[bytes]], incident_ids: list[int]) -> dict[str, float]:
    cpu_before = sum(cpu_seconds(proc.pid) for proc in procs)
    released = _release()
    sent = _wait_all_sent(incident_ids, 600)
    cpu = sum(cpu_seconds(proc.pid) for proc in procs) - cpu_before
    latencies = [at - released for times in sent.values() for at in times]
    finished = max(at for times in sent.values() for at in times)
    return {
        "messages": len(latencies),
        "per_second": len(latencies) / (finished - released),
        "cpu_ms": 1000 * cpu / len(latencies),
        "load": os.getloadavg()[0],
        "p50": statistics.median(latencies),
        "p95": percentile(latencies, 0.95),
    }


def child(database_url: str, workers: int, incidents: int, idle_runs: int, interval: float) -> dict[str, Any]:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "watchkeeper.settings")
    sys.path[:0] = [str(ROOT), str(ROOT / "src")]
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--no-input", verbosity=0)
    receiver, (admin, service) = _setup_world()
    # Declared before any worker runs, and held: declaring is this script's work, not the workers'.
    backlog = [_declare(admin, service, f"Load {number}")[0] for number in range(incidents)]
    _hold_all()
    env = {**os.environ, "DATABASE_URL": database_url}
    watchkeeper = Path(sys.executable).with_name("watchkeeper")
    procs = [
        subprocess.Popen([str(watchkeeper), "worker", "--interval", str(interval)], env=env, stderr=subprocess.DEVNULL)
        for _ in range(workers)
    ]
    try:
        _settle(procs)
        result = _drain_backlog(procs, backlog)
        idle: list[float] = []
        for run in range(idle_runs):
            pk, committed = _declare(admin, service, f"Idle queue {run}")
            idle.append(max(_wait_all_sent([pk], 30)[pk]) - committed)
        duplicates = receiver.deliveries - len(receiver.received)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(10)
        receiver.close()
    return {**result, "idle_p95": percentile(idle, 0.95), "duplicates": duplicates}


def _postgres_url(base: str, workers: int) -> str:
    """A fresh scratch database named after the one the URL names, never that database itself."""
    server, name = base.rsplit("/", 1)
    url = f"{server}/{name}_notify_{workers}w"
    fresh_database(url)
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--incidents", type=int, default=200)
    parser.add_argument("--idle-runs", type=int, default=20)
    parser.add_argument("--interval", type=float, default=1.0, help="worker poll interval when idle (the default)")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL", ""), help="a PostgreSQL URL")
    parser.add_argument("--child", nargs=2, metavar=("DATABASE_URL", "WORKERS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        result = child(args.child[0], int(args.child[1]), args.incidents, args.idle_runs, args.interval)
        print(json.dumps(result))
        return

    scratch = Path(tempfile.mkdtemp(prefix="wk-bench-"))
    # The receiver listens on 127.0.0.1, which channels refuse unless private addresses are allowed.
    env = {
        **os.environ,
        "WATCHKEEPER_VAR_DIR": str(scratch),
        "LOG_LEVEL": "WARNING",
        "WATCHKEEPER_ALLOW_PRIVATE_ENDPOINTS": "true",
    }
    databases = ["sqlite"] + (["postgresql"] if args.postgres else [])
    print(f"{args.incidents} P1 incidents x {CHANNELS} webhook channels, receiver latency {LATENCY * 1000:.0f} ms")
    print("msg/s, p50 and p95 from the backlog's release; CPU of the workers per message; load average then")
    print(
        f"{'database':<11} {'workers':>7} {'msg/s':>8} {'p50 s':>7} {'p95 s':>7} {'idle P1 p95 s':>14} {'dups':>5}"
        f" {'CPU ms/msg':>11} {'load':>5}"
    )
    met = True
    for database in databases:
        rates = {}
        for workers in (1, 4):
            if database == "sqlite":
                url = f"sqlite:///{scratch / f'bench-{workers}.sqlite3'}"
            else:
                url = _postgres_url(args.postgres, workers)
            command = [sys.executable, __file__, "--child", url, str(workers), "--incidents", str(args.incidents)]
            command += ["--idle-runs", str(args.idle_runs), "--interval", str(args.interval)]
            output = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
            result = json.loads(output.strip().splitlines()[-1])
            rates[workers] = result["per_second"]
            if workers == 4:
                rate, idle = result["per_second"], result["idle_p95"]
                record(
                    "notify",
                    "messages a second, 4 workers, 50 ms receiver",
                    rate,
                    "msg/s",
                    "at least 200",
                    rate >= 200,
                    database,
                )
                record("notify", "idle P1 to all 5 channels, p95", idle, "s", "under 1 s", idle < 1, database)
                dups = result["duplicates"]
                record("notify", "duplicate deliveries", dups, "", "0", dups == 0, database)
                met = met and rate >= 200 and idle < 1 and dups == 0
            print(
                f"{database:<11} {workers:>7} {result['per_second']:>8.1f} {result['p50']:>7.2f} "
                f"{result['p95']:>7.2f} {result['idle_p95']:>14.2f} {result['duplicates']:>5}"
                f" {result['cpu_ms']:>11.1f} {result['load']:>5.2f}"
            )
        print(f"{database:<11} 4 workers / 1 worker throughput: {rates[4] / rates[1]:.2f}x")
    sys.exit(0 if met else GOAL_MISSED)


if __name__ == "__main__":
    main()

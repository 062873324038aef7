"""Alert intake benchmark: Alertmanager notifications into `watchkeeper serve` with one web worker.

Prints ingest latency p50/p99 at a steady 50 requests a second (open loop: requests leave on schedule whether or not
earlier ones have answered, and each latency counts from when its request was due, so a stalled server is not
hidden by a stalled sender), then the most notifications a second the one worker sustains with 8 senders in a closed
loop, and the database it ran on. The mix is what an HA pair of Alertmanagers sends: a new group (which pages an
escalation policy) one time in five, the rest repeats, HA copies, alerts joining groups and resolutions.

The server is started as `watchkeeper serve` runs in production: granian with one web worker, the task worker
beside it (which sends the pages' notifications while the requests come in) and the access log on. Beside the
latencies it prints the server's CPU time per request (web and task worker, from /proc), and, replayed in this
process through Django's test client, the CPU time and SQL queries one request costs on its own.

    .venv/bin/python bench/alerts.py [--seconds 20] [--postgres postgres://postgres@127.0.0.1:5432/NAME]

A PostgreSQL URL names the server and a prefix: the bench drops and re-creates its own database, NAME_bench_alerts,
so the database the URL names is never touched and two people passing their own URLs never share a scratch one.

Goal: p99 under 150 ms at 50 requests a second.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from databases import fresh_database  # noqa: E402 (bench/ is not a package)
from process_cpu import tree_cpu  # noqa: E402
from results import GOAL_MISSED, record  # noqa: E402

RATE = 50


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def setup(env: dict[str, str]) -> tuple[str, str]:
    """Migrate, and make a service, a policy and two Alertmanager integrations (one for the server, one for the
    replay here); returns their keys."""
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "watchkeeper.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--no-input", verbosity=0)  # creating a service renders the status page
    from watchkeeper.accounts.services import create_user
    from watchkeeper.alerts.services import integrations
    from watchkeeper.catalogue import services as catalogue
    from watchkeeper.oncall import services as oncall

    admin = create_user("bench-admin", email="", groups=["admin", "responder"], password="bench-password-not-used")
    team = catalogue.create_team(slug="bench", name="Bench")
    service = catalogue.create_service(slug="bench", name="Bench", team=team)
    policy = oncall.create_policy(
        admin, slug="bench", name="Bench", team="bench", steps=[{"targets": [{"user": "bench-admin"}]}]
    )
    keys = [
        integrations.create_integration(admin, name=name, service=service, kind="alertmanager", policy=policy).key
        for name in ("Bench", "Bench replay")
    ]
    return keys[0], keys[1]


class Mix:
    """Deterministic notifications: every fifth opens a new group; the others repeat or extend what is open."""

    def __init__(self) -> None:
        self.n = 0
        self.lock = threading.Lock()

    def next(self) -> bytes:
        with self.lock:
            self.n += 1
            n = self.n
        group = n // 5 if n % 5 == 0 else max(0, n // 5 - (n % 3))
        status = "resolved" if n % 5 == 4 else "firing"
        alerts = [
            {
                "status": status if i == 0 else "firing",
                "labels": {"alertname": f"Bench{group}", "instance": f"host-{i}", "severity": "critical"},
                "annotations": {"summary": f"Bench{group} on host-{i}"},
                "startsAt": "2026-12-02T12:00:00Z",
                "endsAt": "0001-01-01T00:00:00Z",
                "fingerprint": f"b{group}-{i}",
            }
            for i in range(1 + n % 3)
        ]
        body = {"version": "4", "groupKey": f"{{}}:{{g={group}}}", "status": status, "receiver": "wk", "alerts": alerts}
        return json.dumps(body).encode()


def send(url: str, body: bytes) -> float:
    started = time.perf_counter()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            ok = response.status == 202
    except urllib.error.HTTPError as error:
        raise RuntimeError(f"a notification was refused: {error.code} {error.read()[:300]!r}") from None
    if not ok:
        raise RuntimeError("a notification was not accepted")
    return time.perf_counter() - started


def steady(url: str, mix: Mix, seconds: float) -> list[float]:
    """Each latency runs from the moment its request was due, not from when a free thread sent it."""

    def timed(due: float, body: bytes) -> float:
        send(url, body)
        return time.perf_counter() - due

    with ThreadPoolExecutor(max_workers=64) as pool:
        futures = []
        start = time.perf_counter()
        for i in range(int(seconds * RATE)):
            due = start + i / RATE
            if (delay := due - time.perf_counter()) > 0:
                time.sleep(delay)
            futures.append(pool.submit(timed, due, mix.next()))
        return [future.result() for future in futures]


def scratch_postgres(url: str) -> str:
    """This bench's own database beside the one the URL names, so dropping it harms nobody else's."""
    base, name = url.rsplit("/", 1)
    return url if name.endswith("bench_alerts") else f"{base}/{name}_bench_alerts"


def saturate(url: str, mix: Mix, seconds: float, senders: int = 8) -> float:
    done = [0] * senders
    stop = time.perf_counter() + seconds

    def run(slot: int) -> None:
        while time.perf_counter() < stop:
            send(url, mix.next())
            done[slot] += 1

    threads = [threading.Thread(target=run, args=(slot,)) for slot in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / seconds


@dataclass
class Cost:
    cpu_ms: float
    queries: float
    worst: int


def profile(key: str, requests: int) -> tuple[Cost, Cost]:
    """The same mix replayed in this process on a second integration: CPU and queries per request, then per request
    for the tasks those requests queued (run here afterwards, as the task worker would run them)."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # the console one would print them
    client, mix, counts = Client(HTTP_HOST="127.0.0.1"), Mix(), []
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)  # the server's leftovers
    started = time.process_time()
    for _ in range(requests):
        with CaptureQueriesContext(connection) as queries:
            response = client.post(f"/alerts/alertmanager/{key}", mix.next(), content_type="application/json")
        if response.status_code != 202:
            raise RuntimeError(f"a replayed notification was refused: {response.status_code}")
        counts.append(len(queries))
    on_request = Cost((time.process_time() - started) * 1000 / requests, statistics.mean(counts), max(counts))
    started = time.process_time()
    with CaptureQueriesContext(connection) as queries:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    queued = Cost((time.process_time() - started) * 1000 / requests, len(queries) / requests, 0)
    return on_request, queued


def start_server(env: dict[str, str], scratch: Path, threads: int) -> tuple[subprocess.Popen[bytes], int]:
    """`watchkeeper serve` with one web worker and its task worker, its log (the access log too) kept in scratch."""
    port = free_port()
    watchkeeper = ROOT / ".venv" / "bin" / "watchkeeper"
    server = subprocess.Popen(
        [str(watchkeeper), "serve", "--workers", "1", "--host", "127.0.0.1", "--port", str(port)]
        + (["--threads", str(threads)] if threads else []),
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,  # the console email backend prints each page's email here
        stderr=open(scratch / "server.log", "wb"),  # noqa: SIM115  (the server's own log, kept for a failed run)
    )
    for _ in range(1200):  # a loaded machine can take a minute or two to import Django
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
            return server, port
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the server did not start")


def drive(url: str, server: subprocess.Popen[bytes], seconds: float) -> tuple[list[float], dict[str, float], float]:
    mix = Mix()
    for _ in range(20):  # warm up the worker's connections and code paths
        send(url, mix.next())
    before, sender = tree_cpu(server.pid), time.process_time()
    latencies = steady(url, mix, seconds)
    after, sender = tree_cpu(server.pid), time.process_time() - sender
    cpu = {kind: (after[kind] - before[kind]) * 1000 / len(latencies) for kind in after}
    cpu["sender"] = sender * 1000 / len(latencies)  # on the same cores as the server
    return latencies, cpu, saturate(url, mix, min(seconds, 15))


def in_django(log: Path, steady_requests: int) -> list[float]:
    """The access log's duration of each steady-phase request: after the warm-up, before the closed loop."""
    lines = [line for line in log.read_text().splitlines() if " POST /alerts/alertmanager/" in line]
    return [float(line.rsplit(" ", 1)[1].removesuffix("ms")) for line in lines[20 : 20 + steady_requests]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--threads", type=int, default=0, help="Python threads in the one worker (serve's default)")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL", ""), help="a PostgreSQL URL")
    parser.add_argument("--replay", type=int, default=300, help="requests replayed in-process for CPU and queries")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="bench-alerts-"))
    database_url = scratch_postgres(args.postgres) if args.postgres else f"sqlite:///{scratch / 'bench.sqlite3'}"
    fresh_database(database_url)
    env = {
        "WATCHKEEPER_VAR_DIR": str(scratch),
        "DATABASE_URL": database_url,
        # One key sends everything here, so lift the per-key limit and the storm rule: every new group pages.
        "ALERTS_RATE_LIMIT_PER_MINUTE": "1000000",
        "ALERTS_STORM_GROUPS_PER_MINUTE": "1000000",
    }
    key, replay_key = setup(env)
    server, port = start_server(env, scratch, args.threads)
    try:
        latencies, cpu, rate = drive(f"http://127.0.0.1:{port}/alerts/alertmanager/{key}", server, args.seconds)
    except RuntimeError:
        print(f"server log: {scratch / 'server.log'}")
        raise
    finally:
        server.terminate()
        server.wait(timeout=20)
    load = os.getloadavg()[0]
    inside = in_django(scratch / "server.log", len(latencies))
    on_request, queued = profile(replay_key, args.replay)
    report(args.seconds, latencies, cpu, rate, inside, load)
    print(
        f"one request in-process ({args.replay} replayed): {on_request.cpu_ms:.1f} ms CPU, "
        f"{on_request.queries:.1f} SQL queries (worst {on_request.worst}); the tasks they queued: "
        f"{queued.cpu_ms:.1f} ms CPU and {queued.queries:.1f} queries a request, in the task worker"
    )
    sys.exit(0 if percentile(latencies, 0.99) < 0.150 else GOAL_MISSED)


def report(
    seconds: float, latencies: list[float], cpu: dict[str, float], rate: float, inside: list[float], load: float
) -> None:
    from django.db import connection

    p50, p99 = percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000
    database = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
    print(f"database: {database} ({connection.settings_dict['NAME']}); server: watchkeeper serve, 1 web worker")
    print(
        f"ingest at {RATE} req/s for {seconds:.0f} s ({len(latencies)} notifications): "
        f"p50 {p50:.1f} ms, p99 {p99:.1f} ms"
        f" (goal p99 < 150 ms: {'met' if p99 < 150 else 'NOT met'}); mean {statistics.mean(latencies) * 1000:.1f} ms"
    )
    print(
        f"CPU a request at {RATE} req/s: web {cpu['web']:.1f} ms, task worker {cpu['worker']:.1f} ms, "
        f"and this sender {cpu['sender']:.1f} ms on the same cores"
    )
    print(f"most one worker sustains: {rate:.0f} notifications/s (8 senders, closed loop)")
    print(
        f"the same requests inside Django (the access log's durations): p50 {percentile(inside, 0.5):.1f} ms, "
        f"p99 {percentile(inside, 0.99):.1f} ms; the rest is queueing in front of the worker's threads"
    )
    record("alerts", f"ingest p99 at {RATE} req/s", p99, "ms", "under 150 ms", p99 < 150, database)
    record(
        "alerts", "most notifications a second, one worker", rate, "/s", "more than 18 (Dispatch)", rate > 18, database
    )
    # Shared machines skew every figure; say how busy this one was.
    print(f"load average at the end of the run: {load:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()

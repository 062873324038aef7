"""Status page benchmark: `watchkeeper serve` as users run it, beside its ceiling and nginx; the fan-out.

HTTP: 30 components, 90 days of history, 2 open incidents. wrk (asking for gzip, as browsers do) measures
requests a second and p50/p99 latency for /status/ and /status/api/v2/summary.json at 50, 500 and 2,000
connections (each server three times, in rotating order, the median kept), against three servers started in
the same run: `watchkeeper serve` exactly as a user starts it
(worker and access log included), the same server with the same settings serving a trivial WSGI app that
replays serve's own answer, status line, headers and body (bench/baseline_app.py: the ceiling of the Python
server for those bytes), and nginx serving the
snapshot folder with the README's recipe (docs/nginx/statuspage.conf). Goals: at least 0.9 x the baseline
and 0.5 x nginx, p99 under 100 ms at 500 connections and under 250 ms at 2,000, no errors; and a new public
update served within 2 s of posting (p50 and p95 over --publishes updates, each polled on /status/ until its
words appear).

Fan-out: 10,000 email subscribers (a local SMTP server) and 1,000 webhook subscribers (a local receiver
answering in 100 ms). Time until all are delivered, duplicates (must be 0), with one worker killed
halfway and replaced (nothing lost, nothing twice). Then throughput: --subscribers (100,000) email subscribers
to SMTP, goal under 5 minutes, nothing lost or twice. Each prints messages a second and CPU per message.

    .venv/bin/python bench/statuspage.py [--seconds 5] [--emails 10000] [--webhooks 1000] [--workers 4]
                                         [--subscribers 100000] [--skip-http] [--skip-fanout] [--skip-throughput]
                                         [--postgres postgres://postgres@127.0.0.1:5432/wk_bench_status]

Needs wrk and nginx (Debian: apt-get install wrk nginx-light) for the HTTP part; without them it is skipped.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from databases import fresh_database  # noqa: E402 (bench/ is not a package)
from nginx_recipe import nginx_binary, write_config  # noqa: E402
from process_cpu import tree_cpu  # noqa: E402
from results import GOAL_MISSED, record  # noqa: E402

WHSEC = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
PATHS = ["/status/", "/status/api/v2/summary.json"]
CONNECTIONS = [50, 500, 2000]
P99_GOAL_MS = {500: 100.0, 2000: 250.0}
DATABASE = "SQLite"
# Issue 16: 100,000 email subscribers reach the mail server in under 5 minutes.
FANOUT_GOAL_SECONDS = 300.0

SETTINGS = """
from watchkeeper.settings import *  # noqa: F403

STATUSPAGE_SNAPSHOT_DIR = {snapshot!r}
STATUSPAGE_WEBHOOK_ALLOW_PRIVATE = True  # the receiver is on 127.0.0.1
STATUSPAGE_STALE_SECONDS = 10  # so a killed worker's claims come back within the run
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit(f"nothing listening on {port}")


def setup_django(scratch: Path, database_url: str) -> None:
    snapshot = scratch / "snapshot"
    (scratch / "bench_settings.py").write_text(SETTINGS.format(snapshot=str(snapshot)))
    os.environ.update(
        {
            "WATCHKEEPER_VAR_DIR": str(scratch),
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "bench_settings",
            "PYTHONPATH": os.pathsep.join([str(scratch), str(ROOT / "src"), str(ROOT)]),
            "LOG_LEVEL": "WARNING",
        }
    )
    sys.path[:0] = [str(scratch), str(ROOT / "src"), str(ROOT)]
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--no-input", verbosity=0)
    call_command("collectstatic", "--no-input", verbosity=0)


def make_world() -> dict[str, Any]:
    """6 services of 5 components, 90 days of recorded statuses with some outages, 2 open incidents."""
    import random

    from django.utils import timezone

    from watchkeeper.accounts.services import create_user
    from watchkeeper.catalogue import services as catalogue
    from watchkeeper.incidents import services as incidents
    from watchkeeper.statuspage import services
    from watchkeeper.statuspage.models import StatusPeriod

    lead = create_user("bench-comms", email="", groups=["responder"], password="bench-password-not-used")
    team = catalogue.create_team(slug="bench", name="Bench")
    components = []
    for s in range(6):
        service = catalogue.create_service(slug=f"service-{s}", name=f"Service {s}", team=team)
        for c in range(5):
            components.append(catalogue.create_component(service=service, slug=f"c{c}", name=f"Component {s}.{c}"))
    now = timezone.now()
    rng = random.Random(42)
    periods = []
    # History as plain rows (publishing is not what is measured here): six outages of a few hours each.
    for component in components:
        cursor = now - timedelta(days=91)
        for day in sorted(rng.sample(range(1, 90), 6), reverse=True):
            start = now - timedelta(days=day, hours=rng.randint(0, 20))
            end = start + timedelta(minutes=rng.randint(10, 240))
            status = rng.choice(["degraded_performance", "partial_outage", "major_outage"])
            periods.append(StatusPeriod(component=component, status="operational", started_at=cursor, ended_at=start))
            periods.append(StatusPeriod(component=component, status=status, started_at=start, ended_at=end))
            cursor = end
        periods.append(StatusPeriod(component=component, status="operational", started_at=cursor))
    StatusPeriod.objects.bulk_create(periods)
    service = components[0].service
    for number in range(2):
        incident = incidents.declare(lead, title=f"Bench incident {number}", service=service)
        services.publish_incident(
            lead,
            incident,
            name=f"Problem {number}",
            body="Some people cannot use this.",
            component_statuses={components[number]: "partial_outage"},
            notify=False,
        )
    return {"lead": lead, "components": components, "incident": incident}


def warm_up(url: str, timeout: float = 60) -> None:
    """Waits until every worker answers: the port opens before the workers have imported Django, and the
    connections wrk opens meanwhile would count as errors against the app, not as its throughput."""
    import urllib.request

    deadline = time.monotonic() + timeout
    answered = 0
    while answered < 20:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                answered += response.status == 200
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit(f"{url} never answered") from None
            time.sleep(0.2)


def _bytes(number: str, unit: str) -> float:
    return float(number) * {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}[unit]


def wrk(url: str, connections: int, seconds: int) -> dict[str, float]:
    threads = min(os.cpu_count() or 2, connections)
    out = subprocess.run(
        # Browsers ask for gzip; the snapshot, the baseline and nginx (gzip_static) all answer it from memory or disk.
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "-H", "Accept-Encoding: gzip", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def millis(label: str) -> float:
        found = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
        if not found:
            return float("nan")
        value, unit = float(found.group(1)), found.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = 0
    if socket_errors := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        errors += sum(int(n) for n in socket_errors.groups())
    if non_2xx := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        errors += int(non_2xx.group(1))
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    requests = re.search(r"(\d+) requests in [\d.]+\w+, ([\d.]+)([KMG]?)B read", out)
    return {
        "rps": float(rps.group(1)) if rps else 0.0,
        "requests": float(requests.group(1)) if requests else 0.0,
        # Bytes a response, headers included: each server must be sending the same answer.
        "bytes": _bytes(requests.group(2), requests.group(3)) / float(requests.group(1)) if requests else 0.0,
        "p50": millis("50"),
        "p99": millis("99"),
        "errors": errors,
    }


ROUNDS = 3


def interleaved(
    path: str, connections: int, seconds: int, servers: tuple[tuple[str, int, int], ...]
) -> dict[str, dict[str, float]]:
    """Each server (name, port, the process its workers run under) measured ROUNDS times in a rotating order, the
    run with the median req/s kept for each: on two shared cores a single run moved by a third with whatever else
    the machine did, and always measuring one server first charged it the warm-up. Each run also takes the CPU
    its server's processes spent per request, which other load on the machine barely moves."""
    results: dict[str, list[dict[str, float]]] = {name: [] for name, _, _ in servers}
    for round_ in range(ROUNDS):
        for name, port, root in servers[round_ % len(servers) :] + servers[: round_ % len(servers)]:
            before = sum(tree_cpu(root).values())
            run = wrk(f"http://127.0.0.1:{port}{path}", connections, seconds)
            spent = sum(tree_cpu(root).values()) - before
            results[name].append({**run, "cpu_us": 1e6 * spent / run["requests"] if run["requests"] else 0.0})
    chosen = {}
    for name, runs in results.items():
        median = sorted(runs, key=lambda run: run["rps"])[len(runs) // 2]
        chosen[name] = {**median, "errors": sum(run["errors"] for run in runs)}
    return chosen


def serve_command(port: int) -> list[str]:
    """Exactly what `watchkeeper serve` starts for its web part, on this port."""
    from watchkeeper.cli import build_parser
    from watchkeeper.serve import web_command

    return web_command(build_parser().parse_args(["serve", "--host", "127.0.0.1", "--port", str(port)]))


def record_responses(port: int, target: Path) -> None:
    """serve's answer to each path, status line, headers and body as wrk gets them, for the baseline to replay."""
    import base64
    import http.client

    answers = {}
    for path in PATHS:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", path, headers={"Accept-Encoding": "gzip"})
        response = connection.getresponse()
        body = response.read()
        connection.close()
        # The server adds Date (and granian its Server line) to every answer itself, the baseline's too.
        headers = [(name, value) for name, value in response.getheaders() if name.lower() not in {"date", "server"}]
        status = f"{response.status} {response.reason}"
        answers[path] = {"status": status, "headers": headers, "body": base64.b64encode(body).decode()}
    target.write_text(json.dumps(answers))


def baseline_command(port: int) -> list[str]:
    """The same server with the same settings, serving bench/baseline_app.py instead of Watchkeeper."""
    return [
        ("baseline_app:application" if part == "watchkeeper.wsgi:application" else part) for part in serve_command(port)
    ]


def publish_latency(port: int, world: dict[str, Any]) -> float:
    """Seconds from a public update being posted to its words being served on /status/ (the worker renders)."""
    import urllib.request

    from watchkeeper.statuspage import services

    marker = f"Bench update {time.time_ns()}"
    started = time.monotonic()
    # Not notified: the fan-out bench later counts every message its subscribers get, and would count these too.
    public = world["incident"].public_incidents.get()
    services.post_update(world["lead"], public, status="identified", body=marker, notify=False)
    while time.monotonic() - started < 60:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/status/", timeout=5) as response:
            if marker.encode() in response.read():
                return time.monotonic() - started
        time.sleep(0.02)
    return float("inf")


def publish_latencies(port: int, world: dict[str, Any], publishes: int) -> bool:
    """p50/p95 of ``publishes`` updates, one after another, against the 2 s goal."""
    times = sorted(publish_latency(port, world) for _ in range(publishes))
    p50, p95 = times[round(0.5 * (len(times) - 1))], times[round(0.95 * (len(times) - 1))]
    print(
        f"a new public update served on /status/ after posting: p50 {p50:.2f} s, p95 {p95:.2f} s, max "
        f"{times[-1]:.2f} s over {publishes} (goal under 2 s); load average {os.getloadavg()[0]:.1f}"
    )
    record(
        "statuspage", f"public update to served snapshot, p50 of {publishes}", p50, "s", "under 2 s", p50 < 2, DATABASE
    )
    record(
        "statuspage", f"public update to served snapshot, p95 of {publishes}", p95, "s", "under 2 s", p95 < 2, DATABASE
    )
    return p95 < 2


def http_benchmark(
    scratch: Path, seconds: int, world: dict[str, Any], connection_counts: list[int], publishes: int
) -> bool:
    nginx = nginx_binary()
    if not (shutil.which("wrk") and nginx):
        print("HTTP: skipped (install wrk and nginx)")
        return True
    from watchkeeper.statuspage import snapshot

    snapshot.write()
    cpus = os.cpu_count() or 2
    app_port, base_port, nginx_port = free_port(), free_port(), free_port()
    # The README's recipe as operators copy it, in front of the same `watchkeeper serve`.
    prefix = scratch / "nginx"
    config = write_config(prefix, f"127.0.0.1:{nginx_port}", scratch / "snapshot", f"127.0.0.1:{app_port}", cpus)
    watchkeeper = str(Path(sys.executable).with_name("watchkeeper"))
    # The command users run, worker and access log included: what it logs is part of what it costs.
    app = [watchkeeper, "serve", "--host", "127.0.0.1", "--port", str(app_port)]
    log = open(scratch / "serve.log", "wb")  # noqa: SIM115 (closed with the processes below)
    env = {**os.environ, "LOG_LEVEL": "INFO", "BASELINE_RESPONSES": str(scratch / "baseline.json")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "bench"), env["PYTHONPATH"]])
    print(f"watchkeeper serve: {' '.join(serve_command(app_port)[1:])}")
    # Each server in a session of its own, serve's for its process group and the others alike: with the kernel's
    # autogroup scheduling (on by default) a session shares the CPU with wrk as one group, and a server in the
    # bench's own session beside wrk measured 15% faster than the very same server in a session of its own.
    procs = [
        subprocess.Popen(app, env=env, stdout=log, stderr=log, start_new_session=True),
        subprocess.Popen([nginx, "-p", str(prefix), "-c", str(config), "-g", "daemon off;"], start_new_session=True),
    ]
    ok = True
    try:
        for port in (app_port, nginx_port):
            wait_for(port)
        for path in PATHS:
            warm_up(f"http://127.0.0.1:{app_port}{path}")
        ok = publish_latencies(app_port, world, publishes)
        # Started only now, replaying what serve answers after the publishing: the same bytes wrk will get.
        record_responses(app_port, scratch / "baseline.json")
        procs.append(
            subprocess.Popen(
                baseline_command(base_port),
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        )
        wait_for(base_port)
        for path in PATHS:
            warm_up(f"http://127.0.0.1:{base_port}{path}")
        header = (
            f"{'path':<30} {'conns':>5} {'server':<9} {'req/s':>9} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6}"
            f" {'CPU us/req':>10} {'B/answer':>8}"
        )
        print(header)
        for connections in connection_counts:
            for path in PATHS:
                servers = (("serve", app_port, procs[0].pid), ("baseline", base_port, procs[2].pid))
                runs = interleaved(path, connections, seconds, (*servers, ("nginx", nginx_port, procs[1].pid)))
                for name, result in runs.items():
                    print(
                        f"{path:<30} {connections:>5} {name:<9} {result['rps']:>9.0f} {result['p50']:>7.1f} "
                        f"{result['p99']:>7.1f} {result['errors']:>6.0f} {result['cpu_us']:>10.1f}"
                        f" {result['bytes']:>8.0f}"
                    )
                app, base, web = runs["serve"], runs["baseline"], runs["nginx"]
                to_base = app["rps"] / base["rps"] if base["rps"] else 0.0
                to_nginx = app["rps"] / web["rps"] if web["rps"] else 0.0
                p99_goal = P99_GOAL_MS.get(connections, float("inf"))
                goal = to_base >= 0.9 and to_nginx >= 0.5 and app["errors"] == 0 and app["p99"] < p99_goal
                ok = ok and goal
                label = f"{path} at {connections} connections"
                record("statuspage", f"{label}: serve/baseline", to_base, "x", "at least 0.9", to_base >= 0.9, DATABASE)
                record("statuspage", f"{label}: serve/nginx", to_nginx, "x", "at least 0.5", to_nginx >= 0.5, DATABASE)
                if connections in P99_GOAL_MS:
                    p99_met = app["p99"] < p99_goal
                    record(
                        "statuspage", f"{label}: p99", app["p99"], "ms", f"under {p99_goal:.0f} ms", p99_met, DATABASE
                    )
                record("statuspage", f"{label}: errors", app["errors"], "", "0", app["errors"] == 0, DATABASE)
                cpu_ratio = base["cpu_us"] / app["cpu_us"] if app["cpu_us"] else 0.0
                print(
                    f"{'':<30} {'':>5} serve/baseline {to_base:.2f} (goal 0.9; by CPU per request {cpu_ratio:.2f})"
                    f"  serve/nginx {to_nginx:.2f} (goal 0.5)"
                    f"  p99 goal {p99_goal:.0f} ms  {'goal met' if goal else 'GOAL MISSED'}"
                )
    finally:
        os.killpg(procs[0].pid, signal.SIGTERM)
        for proc in procs[1:]:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            proc.wait(30)
        log.close()
    lines = (scratch / "serve.log").read_text(errors="replace").splitlines()
    summaries = [line for line in lines if "status page snapshot:" in line]
    print(f"serve's access log: {len(lines)} lines, {len(summaries)} snapshot summaries; the last:")
    print(f"  {summaries[-1] if summaries else '(none)'}")
    return ok


def fanout_benchmark(
    world: dict[str, Any], emails: int, webhooks: int, workers: int, *, kill: bool, goal_seconds: float | None = None
) -> bool:
    """One update to ``emails`` + ``webhooks`` new subscribers (the previous run's are removed first)."""
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult
    from tests.fakes.smtp import SmtpServer
    from tests.fakes.webhooks import WebhookReceiver

    from watchkeeper.notifications.sealing import seal
    from watchkeeper.statuspage import services
    from watchkeeper.statuspage.models import Subscriber, SubscriberMessage

    # A fresh start: the previous run's sweep, due stale() later, would plan its update for these new subscribers.
    DBTaskResult.objects.all().delete()
    Subscriber.objects.all().delete()
    smtp = SmtpServer()
    receiver = WebhookReceiver(WHSEC, latency=0.1)
    os.environ["EMAIL_URL"] = f"smtp://127.0.0.1:{smtp.port}"
    now = timezone.now()
    secret = seal(WHSEC)
    Subscriber.objects.bulk_create(
        [Subscriber(email=f"reader{i}@example.com", created_at=now, confirmed_at=now) for i in range(emails)],
        batch_size=1000,
    )
    Subscriber.objects.bulk_create(
        [
            Subscriber(
                medium="webhook",
                email=f"dev{i}@example.com",
                endpoint=f"{receiver.url}/{i}",
                secret=secret,
                created_at=now,
                confirmed_at=now,
            )
            for i in range(webhooks)
        ],
        batch_size=1000,
    )
    total = emails + webhooks
    update = services.post_update(
        world["lead"],
        world["incident"].public_incidents.get(),
        status="identified",
        body="We have found the cause and are fixing it.",
    )
    watchkeeper = Path(sys.executable).with_name("watchkeeper")

    def worker() -> subprocess.Popen[bytes]:
        command = [str(watchkeeper), "worker", "--interval", "0.2"]
        return subprocess.Popen(command, env=os.environ.copy(), stderr=subprocess.DEVNULL)

    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    own_before = time.process_time()
    started = time.monotonic()
    procs = [worker() for _ in range(workers)]
    killed = False
    try:
        deadline = started + 900
        while time.monotonic() < deadline:
            sent = SubscriberMessage.objects.filter(update=update, state=SubscriberMessage.State.SENT).count()
            if kill and not killed and sent >= total // 2:
                procs[0].send_signal(signal.SIGKILL)
                procs[0].wait()
                procs[0] = worker()
                killed = True
                print(f"killed a worker with {sent} of {total} sent, and started another")
            if sent >= total:
                break
            if any(proc.poll() is not None for proc in procs):
                raise SystemExit("a worker exited by itself during the fan-out: run `watchkeeper worker` to see why")
            time.sleep(0.2)
        elapsed = time.monotonic() - started
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(15)
    own_cpu = time.process_time() - own_before
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    worker_cpu = (children.ru_utime + children.ru_stime) - (children_before.ru_utime + children_before.ru_stime)
    load = os.getloadavg()[0]
    states = Counter(SubscriberMessage.objects.filter(update=update).values_list("state", flat=True))
    ids = Counter(message["Message-ID"] for message in smtp.inbox.messages)
    email_dups = sum(count - 1 for count in ids.values())
    hook_dups = receiver.deliveries - len(receiver.received)
    smtp.stop()
    receiver.close()
    killing = ", one killed halfway" if kill else ""
    print(f"fan-out: {emails} emails + {webhooks} webhooks (receiver 100 ms), {workers} workers{killing}")
    print(f"  all delivered in {elapsed:.1f} s ({total / elapsed:.0f} messages/s); states {dict(states)}")
    # The machine's other work shows in the wall time, not in these: so CPU per message, and the load beside it.
    print(
        f"  CPU a message: workers {worker_cpu * 1000 / total:.2f} ms, the fake servers and this script "
        f"{own_cpu * 1000 / total:.2f} ms; load average {load:.2f}"
    )
    print(f"  emails received {len(ids)} distinct, duplicates {email_dups}")
    print(f"  webhooks received {len(receiver.received)} distinct, duplicates {hook_dups}")
    ok = states.get("sent", 0) == total and len(ids) == emails and len(receiver.received) == webhooks
    ok = ok and email_dups == 0 and hook_dups == 0
    in_time = goal_seconds is None or elapsed < goal_seconds
    print(f"  {'nothing lost, nothing twice' if ok else 'GOAL MISSED'}{'' if in_time else '; too slow: GOAL MISSED'}")
    if webhooks:
        figure = f"fan-out of {emails:,} emails + {webhooks:,} webhooks"
    else:
        figure = f"fan-out of {emails:,} emails to SMTP"
    figure += ", a worker killed halfway" if kill else ""
    lost_or_twice = total - states.get("sent", 0) + email_dups + hook_dups
    record("statuspage", f"{figure}: lost or twice", lost_or_twice, "", "0", ok, DATABASE)
    if goal_seconds is None:
        record("statuspage", f"{figure}: time", elapsed, "s", "-", True, DATABASE)
    else:
        record("statuspage", f"{figure}: time", elapsed, "s", f"< {goal_seconds:.0f} s", in_time, DATABASE)
    return ok and in_time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=5, help="each wrk run (each is run three times)")
    parser.add_argument("--emails", type=int, default=10_000)
    parser.add_argument("--webhooks", type=int, default=1_000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL", ""), help="a PostgreSQL URL")
    parser.add_argument("--connections", type=int, nargs="+", default=CONNECTIONS, help="wrk connection counts")
    parser.add_argument("--publishes", type=int, default=20, help="updates timed from posting to served")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--skip-fanout", action="store_true", help="neither fan-out")
    parser.add_argument(
        "--subscribers", type=int, default=100_000, help="email subscribers for the throughput fan-out (no kill)"
    )
    parser.add_argument("--skip-throughput", action="store_true", help="only the fan-out with a worker killed")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="wk-bench-status-"))
    scratch.chmod(0o755)  # nginx's workers run as another user and must read the snapshot
    database_url = args.postgres or f"sqlite:///{scratch / 'bench.sqlite3'}"
    global DATABASE
    DATABASE = "PostgreSQL" if args.postgres else "SQLite"
    fresh_database(database_url)
    setup_django(scratch, database_url)
    world = make_world()
    ok = True
    if not args.skip_http:
        ok = http_benchmark(scratch, args.seconds, world, args.connections, args.publishes) and ok
    if not args.skip_fanout:
        ok = fanout_benchmark(world, args.emails, args.webhooks, args.workers, kill=True) and ok
        if not args.skip_throughput:
            throughput = fanout_benchmark(
                world, args.subscribers, 0, args.workers, kill=False, goal_seconds=FANOUT_GOAL_SECONDS
            )
            ok = throughput and ok
    shutil.rmtree(scratch, ignore_errors=True)
    sys.exit(0 if ok else GOAL_MISSED)


if __name__ == "__main__":
    main()

"""Status page benchmark: the snapshot served by the app beside nginx, and the subscriber fan-out.

HTTP: 30 components, 90 days of history, 2 open incidents. wrk measures requests a second and p50/p99
latency for /status/ and /status/api/v2/summary.json at 50 and 500 connections, against the app
(gunicorn, the snapshot WSGI wrapper in front of Django) and against nginx serving the same files.
Goal: at least half of nginx's throughput, p99 under 100 ms at 500 connections, no errors.

Fan-out: 10,000 email subscribers (a local SMTP server) and 1,000 webhook subscribers (a local receiver
answering in 100 ms). Time until all are delivered, duplicates (must be 0), with one worker killed
halfway and replaced (nothing lost, nothing twice).

    .venv/bin/python bench/statuspage.py [--seconds 10] [--emails 10000] [--webhooks 1000] [--workers 4]
                                         [--postgres postgres://postgres@127.0.0.1:5432/wk_bench_status]

Needs wrk and nginx (Debian: apt-get install wrk nginx-light) for the HTTP part; without them it is skipped.
"""

from __future__ import annotations

import argparse
import os
import re
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
WHSEC = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
PATHS = ["/status/", "/status/api/v2/summary.json"]
CONNECTIONS = [50, 500]

SETTINGS = """
from watchkeeper.settings import *  # noqa: F403

STATUSPAGE_SNAPSHOT_DIR = {snapshot!r}
STATUSPAGE_WEBHOOK_ALLOW_PRIVATE = True  # the receiver is on 127.0.0.1
STATUSPAGE_STALE_SECONDS = 10  # so a killed worker's claims come back within the run
"""

NGINX = """
worker_processes {workers};
pid {scratch}/nginx.pid;
error_log {scratch}/nginx-error.log;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    types {{ text/html html; application/json json; }}
    server {{
        listen 127.0.0.1:{port};
        root {webroot};
        location /status/ {{
            try_files $uri $uri.html ${{uri}}index.html =404;
            add_header Cache-Control "public, max-age=15";
        }}
    }}
}}
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


def wrk(url: str, connections: int, seconds: int) -> dict[str, float]:
    threads = min(os.cpu_count() or 2, connections)
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", url],
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
    return {"rps": float(rps.group(1)) if rps else 0.0, "p50": millis("50"), "p99": millis("99"), "errors": errors}


def http_benchmark(scratch: Path, seconds: int, server: str) -> bool:
    if not (shutil.which("wrk") and (shutil.which("nginx") or Path("/usr/sbin/nginx").exists())):
        print("HTTP: skipped (install wrk and nginx)")
        return True
    from watchkeeper.statuspage import snapshot

    snapshot.write()
    cpus = os.cpu_count() or 2
    app_port, nginx_port = free_port(), free_port()
    # nginx serves /status/ from <webroot>/status, which is the snapshot directory itself.
    (scratch / "webroot").mkdir()
    (scratch / "webroot" / "status").symlink_to(scratch / "snapshot")
    (scratch / "nginx.conf").write_text(
        NGINX.format(workers=cpus, scratch=scratch, port=nginx_port, webroot=scratch / "webroot")
    )
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    target = "watchkeeper.statuspage.snapshot_wsgi:django_with_snapshot"
    if server == "granian":
        beside = Path(sys.executable).with_name("granian")
        # granian is a dependency, so it sits beside this venv's python; PATH is the fallback for other venvs.
        granian = str(beside) if beside.exists() else shutil.which("granian") or "granian"
        app = [granian, "--interface", "wsgi", "--factory", target]
        app += ["--host", "127.0.0.1", "--port", str(app_port), "--workers", str(cpus), "--backlog", "4096"]
        # The same threads as `watchkeeper serve` gives granian.
        app += ["--runtime-threads", "2", "--blocking-threads", "2"]
        app += ["--log-level", "warning"]
    else:
        app = [sys.executable, "-m", "gunicorn", f"{target}()", "--bind", f"127.0.0.1:{app_port}"]
        app += ["--workers", str(cpus), "--worker-class", "gthread", "--threads", "8", "--backlog", "4096"]
        app += ["--keep-alive", "5"]
        app += ["--log-level", "warning"]
    print(f"app server: {server}, {cpus} workers")
    procs = [
        subprocess.Popen(app, env=os.environ.copy()),
        subprocess.Popen([nginx, "-c", str(scratch / "nginx.conf"), "-g", "daemon off;"]),
    ]
    ok = True
    try:
        wait_for(app_port)
        wait_for(nginx_port)
        for path in PATHS:
            warm_up(f"http://127.0.0.1:{app_port}{path}")
        print(f"{'path':<30} {'conns':>5} {'server':<6} {'req/s':>9} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6}")
        for connections in CONNECTIONS:
            for path in PATHS:
                app = wrk(f"http://127.0.0.1:{app_port}{path}", connections, seconds)
                web = wrk(f"http://127.0.0.1:{nginx_port}{path}", connections, seconds)
                for name, result in (("app", app), ("nginx", web)):
                    print(
                        f"{path:<30} {connections:>5} {name:<6} {result['rps']:>9.0f} {result['p50']:>7.1f} "
                        f"{result['p99']:>7.1f} {result['errors']:>6.0f}"
                    )
                ratio = app["rps"] / web["rps"] if web["rps"] else 0.0
                goal = ratio >= 0.5 and app["errors"] == 0 and (connections < 500 or app["p99"] < 100)
                ok = ok and goal
                print(f"{'':<30} {'':>5} app/nginx throughput {ratio:.2f}  {'goal met' if goal else 'GOAL MISSED'}")
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            proc.wait(15)
    return ok


def fanout_benchmark(world: dict[str, Any], emails: int, webhooks: int, workers: int) -> bool:
    from django.utils import timezone
    from tests.fakes.smtp import SmtpServer
    from tests.fakes.webhooks import WebhookReceiver

    from watchkeeper.notifications.secrets import seal
    from watchkeeper.statuspage import services
    from watchkeeper.statuspage.models import Delivery, Subscriber

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
                channel="webhook",
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

    started = time.monotonic()
    procs = [worker() for _ in range(workers)]
    killed = False
    try:
        deadline = started + 900
        while time.monotonic() < deadline:
            sent = Delivery.objects.filter(update=update, state=Delivery.State.SENT).count()
            if not killed and sent >= total // 2:
                procs[0].send_signal(signal.SIGKILL)
                procs[0].wait()
                procs[0] = worker()
                killed = True
                print(f"killed a worker with {sent} of {total} sent, and started another")
            if sent >= total:
                break
            time.sleep(0.2)
        elapsed = time.monotonic() - started
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(15)
    states = Counter(Delivery.objects.filter(update=update).values_list("state", flat=True))
    ids = Counter(message["Message-ID"] for message in smtp.inbox.messages)
    email_dups = sum(count - 1 for count in ids.values())
    hook_dups = receiver.deliveries - len(receiver.received)
    smtp.stop()
    receiver.close()
    print(f"fan-out: {emails} emails + {webhooks} webhooks (receiver 100 ms), {workers} workers, one killed halfway")
    print(f"  all delivered in {elapsed:.1f} s; states {dict(states)}")
    print(f"  emails received {len(ids)} distinct, duplicates {email_dups}")
    print(f"  webhooks received {len(receiver.received)} distinct, duplicates {hook_dups}")
    ok = states.get("sent", 0) == total and len(ids) == emails and len(receiver.received) == webhooks
    ok = ok and email_dups == 0 and hook_dups == 0
    print(f"  {'nothing lost, nothing twice' if ok else 'GOAL MISSED'}")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10, help="each wrk run")
    parser.add_argument("--emails", type=int, default=10_000)
    parser.add_argument("--webhooks", type=int, default=1_000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL", ""), help="a PostgreSQL URL")
    parser.add_argument("--server", choices=["gunicorn", "granian"], default="granian", help="the app's server")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--skip-fanout", action="store_true")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="wk-bench-status-"))
    scratch.chmod(0o755)  # nginx's workers run as another user and must read the snapshot
    database_url = args.postgres or f"sqlite:///{scratch / 'bench.sqlite3'}"
    if args.postgres:
        import psycopg

        base, name = args.postgres.rsplit("/", 1)
        with psycopg.connect(base + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    setup_django(scratch, database_url)
    world = make_world()
    ok = True
    if not args.skip_http:
        ok = http_benchmark(scratch, args.seconds, args.server) and ok
    if not args.skip_fanout:
        ok = fanout_benchmark(world, args.emails, args.webhooks, args.workers) and ok
    shutil.rmtree(scratch, ignore_errors=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

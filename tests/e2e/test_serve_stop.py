"""`watchkeeper serve` stops cleanly, every time: the real server, under load, signalled as people and systemd do.

Each cycle starts serve as the leader of its own session (as systemd and a terminal do), loads it with page
requests and a declared incident (so the worker has notifications in hand), then sends SIGINT or SIGTERM to serve
alone or to its whole process group, sometimes twice (a second Ctrl-C). Every process must be gone within
10 seconds, serve must exit 0, nothing may print a traceback, the worker says in one line how it stopped, and no
task is left claimed but unfinished. STOP_CYCLES (default 8; 20 and more before a release) sets how many cycles run.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from tests.e2e.test_cli import WATCHKEEPER, run
from tests.e2e.test_serve import free_port

# Process supervision and start-up checks do not depend on the database: one CI pass runs them.
pytestmark = pytest.mark.sqlite_pass

CYCLES = int(os.environ.get("STOP_CYCLES", "8"))
STOP_WITHIN = 10.0
# (signal, to the whole group?, how many times): what Ctrl-C, a second Ctrl-C, systemd and `kill` send.
WAYS = [
    (signal.SIGTERM, True, 1),
    (signal.SIGINT, True, 1),
    (signal.SIGTERM, False, 1),
    (signal.SIGINT, True, 2),
    (signal.SIGINT, False, 1),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, str], str]]:
    tmp = tmp_path_factory.mktemp("serve-stop")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp / 'serve.sqlite3'}",
        "WATCHKEEPER_VAR_DIR": str(tmp),
        "STATIC_ROOT": str(tmp / "static"),
        "STATUSPAGE_SNAPSHOT_DIR": str(tmp / "statuspage"),
        "LOG_LEVEL": "INFO",
    }
    for step in (["migrate"], ["demo", "--empty"], ["statuspage", "export"]):
        done = run(*step, env=env)
        assert done.returncode == 0, done.stderr
    token = run("token", "create", "--user", "admin", env=env)
    assert token.returncode == 0, token.stderr
    yield env, token.stdout.strip()


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def declare(base: str, token: str, title: str) -> int:
    body = json.dumps({"title": title, "service": "pay-api", "priority": "P2", "take_lead": True}).encode()
    request = urllib.request.Request(
        f"{base}/api/v1/incidents",
        data=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=20) as response:
        return int(response.status)


def wait_until_up(base: str, log: Path, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            if get(f"{base}/sign-in") == 200 and "Starting worker" in log.read_text():
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise AssertionError(f"serve did not come up:\n{log.read_text()}")


def load(base: str, token: str, cycle: int) -> None:
    """A few concurrent readers and one declaration, so the worker has deliveries in hand when the stop comes."""
    statuses: list[int] = []

    def reader() -> None:
        for path in ("/sign-in", "/status/", "/assets/govuk-frontend.min.css") * 4:
            statuses.append(get(base + path))

    readers = [threading.Thread(target=reader) for _ in range(3)]
    for thread in readers:
        thread.start()
    assert declare(base, token, f"Stop cycle {cycle}") == 201
    for thread in readers:
        thread.join(30)
    assert statuses and all(status == 200 for status in statuses), statuses


def count_tasks(env: dict[str, str], where: str) -> int:
    with sqlite3.connect(env["DATABASE_URL"].removeprefix("sqlite:///")) as db:
        return int(db.execute(f"SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE {where}").fetchone()[0])


def claimed_but_unfinished(env: dict[str, str]) -> int:
    return count_tasks(env, "status = 'RUNNING'")


def failed_by_exit(env: dict[str, str]) -> int:
    return count_tasks(env, "exception_class_path LIKE '%SystemExit%' OR exception_class_path LIKE '%Release%'")


def one_cycle(env: dict[str, str], token: str, cycle: int, log: Path) -> float:
    signum, to_group, times = WAYS[cycle % len(WAYS)]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [WATCHKEEPER, "serve", "--port", str(port), "--workers", "1"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until_up(base, log, process)
        load(base, token, cycle)
        family = [process.pid, *(child.pid for child in psutil.Process(process.pid).children(recursive=True))]
        started = time.monotonic()
        for _ in range(times):
            os.killpg(process.pid, signum) if to_group else process.send_signal(signum)
            time.sleep(0.2)
        code = process.wait(timeout=STOP_WITHIN)
        took = time.monotonic() - started
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    output = log.read_text()
    way = f"cycle {cycle}: {signal.Signals(signum).name} x{times} to {'group' if to_group else 'leader'}"
    assert code == 0, f"{way} exited {code}:\n{output}"
    alive = [pid for pid in family if psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE]
    assert not alive, f"{way} left {alive} running:\n{output}"
    assert "Traceback" not in output and "SystemExit" not in output, f"{way}:\n{output}"
    assert "did not stop within" not in output, f"{way} needed a kill:\n{output}"
    stopped = [line for line in output.splitlines() if line.startswith("Worker stopped on SIGTERM: ")]
    assert len(stopped) == 1, f"{way}:\n{output}"
    assert claimed_but_unfinished(env) == 0, f"{way} left a task claimed:\n{output}"
    return took


def test_serve_stops_cleanly_every_time(site: tuple[dict[str, str], str], tmp_path: Path) -> None:
    env, token = site
    took = [one_cycle(env, token, cycle, tmp_path / f"serve-{cycle}.log") for cycle in range(CYCLES)]
    assert max(took) < STOP_WITHIN
    assert failed_by_exit(env) == 0
    print(f"{CYCLES} of {CYCLES} stops clean; slowest {max(took):.2f} s, mean {sum(took) / len(took):.2f} s")

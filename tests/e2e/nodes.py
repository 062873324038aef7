"""Real Watchkeeper processes for multi-node tests: web nodes (`watchkeeper serve --no-worker`) and workers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.e2e.pgcluster import free_port

WATCHKEEPER = str(Path(sys.executable).with_name("watchkeeper"))


@dataclass
class Answer:
    status: int
    headers: dict[str, str]  # names in lower case
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def _lower(headers: Any) -> dict[str, str]:
    # Granian sends header names in lower case, gunicorn capitalised: HTTP says they are the same.
    return {name.lower(): value for name, value in headers}


def wait_for(condition: Callable[[], bool], seconds: float, what: str, step: float = 0.05) -> float:
    """Waits until ``condition`` holds; returns the seconds it took."""
    began = time.monotonic()
    while time.monotonic() - began < seconds:
        if condition():
            return time.monotonic() - began
        time.sleep(step)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


class Process:
    def __init__(self, name: str, args: list[str], env: dict[str, str], folder: Path) -> None:
        self.name, self.args, self.env, self.folder = name, args, env, folder
        folder.mkdir(parents=True, exist_ok=True)
        self.log_path = folder / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Process:
        log = open(self.log_path, "ab")  # noqa: SIM115  (the child keeps it open)
        self.process = subprocess.Popen([WATCHKEEPER, *self.args], env=self.env, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        return self

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int | None:
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        return self.process.returncode


class WebNode(Process):
    """One web node: its own port, its own var folder and its own snapshot folder; the database is shared."""

    def __init__(self, name: str, env: dict[str, str], folder: Path) -> None:
        self.port = free_port()
        self.snapshot = folder / name / "statuspage"
        node_env = {
            **env,
            "WATCHKEEPER_VAR_DIR": str(folder / name),
            "STATUSPAGE_SNAPSHOT_DIR": str(self.snapshot),
        }
        super().__init__(
            name, ["serve", "--no-worker", "--workers", "1", "--port", str(self.port)], node_env, folder / name
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def request(self, path: str, body: Any = None, token: str = "", headers: dict[str, str] | None = None) -> Answer:
        sent = dict(headers or {})
        if token:
            sent["Authorization"] = f"Bearer {token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        request = urllib.request.Request(self.url + path, data=data, headers=sent)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return Answer(response.status, _lower(response.headers.items()), response.read())
        except urllib.error.HTTPError as error:
            return Answer(error.code, _lower(error.headers.items()), error.read())

    def up(self) -> bool:
        try:
            return self.request("/healthz").status == 200
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    def ready(self) -> bool:
        try:
            return self.request("/readyz").status == 200
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False


def worker(name: str, env: dict[str, str], folder: Path, **extra: str) -> Process:
    return Process(name, ["worker", "--interval", "0.2"], {**env, **extra}, folder / name)


def cli(env: dict[str, str], *args: str, stdin: str = "") -> str:
    done = subprocess.run(
        [WATCHKEEPER, *args], env={**os.environ, **env}, input=stdin, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()

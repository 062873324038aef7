"""The real Prometheus Alertmanager (Debian's prometheus-alertmanager) run on 127.0.0.1 with a config of the test's."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BINARY = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Alertmanager:
    def __init__(self, config: dict[str, Any]) -> None:
        assert BINARY, "prometheus-alertmanager is not installed (apt-get install prometheus-alertmanager)"
        self.folder = Path(tempfile.mkdtemp(prefix="alertmanager-"))
        (self.folder / "alertmanager.yml").write_text(json.dumps(config))  # YAML is a superset of JSON
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                BINARY,
                f"--config.file={self.folder / 'alertmanager.yml'}",
                f"--storage.path={self.folder / 'data'}",
                f"--web.listen-address=127.0.0.1:{self.port}",
                "--cluster.listen-address=",
                "--log.level=warn",
            ],
            stdout=subprocess.DEVNULL,
            stderr=open(self.folder / "log.txt", "wb"),  # noqa: SIM115  (closed with the process)
        )
        self._wait_ready()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("alertmanager exited: " + (self.folder / "log.txt").read_text())
            try:
                with urllib.request.urlopen(f"{self.url}/-/ready", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("alertmanager did not become ready")

    def post_alerts(self, alerts: list[dict[str, Any]]) -> None:
        request = urllib.request.Request(
            f"{self.url}/api/v2/alerts",
            data=json.dumps(alerts).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 200

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def now_iso() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")

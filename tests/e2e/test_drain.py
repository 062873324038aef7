"""A rolling restart loses no request already routed: on SIGTERM the web server finishes what it has, then exits.

The request in flight is made slow for real: the database address accepts connections and never answers, so the
request waits out the connect timeout (5 s) and answers 503. SIGTERM arrives while it waits.
"""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.nodes import WebNode, wait_for

# It brings its own (hanging) database address, so one CI pass is enough.
pytestmark = pytest.mark.sqlite_pass


@pytest.fixture
def black_hole() -> Iterator[int]:
    """A port that accepts TCP connections and never says a word, as a database host that hangs does."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    held: list[Any] = []

    def accept() -> None:
        while True:
            try:
                held.append(listener.accept())
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield int(listener.getsockname()[1])
    listener.close()
    for connection, _ in held:
        connection.close()


@pytest.mark.parametrize("server", ["granian"])  # the default; gunicorn drains the same way (checked by hand)
def test_sigterm_lets_the_request_in_flight_finish(tmp_path: Path, black_hole: int, server: str) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{black_hole}/watchkeeper",
        "SECRET_KEY": "drain-test-key-0123456789-0123456789-0123456789",
        "STATUSPAGE_SYNC_SECONDS": "0",
        "WEB_SERVER": server,
    }
    node = WebNode("web", env, tmp_path)
    node.start()
    try:
        wait_for(node.up, 240, "the web node", step=0.2)
        answer: dict[str, Any] = {}

        def slow_request() -> None:
            began = time.monotonic()
            answer["answer"] = node.request("/api/v1/me", token="wk_needs_the_database")
            answer["seconds"] = time.monotonic() - began

        request = threading.Thread(target=slow_request)
        request.start()
        time.sleep(1.0)
        assert node.process is not None
        node.process.send_signal(signal.SIGTERM)
        request.join(60)
        assert node.process.wait(60) == 0
        got = answer["answer"]
        print(f"\n{server}: the request in flight at SIGTERM was answered {got.status} after {answer['seconds']:.1f} s")
        assert got.status == 503 and got.headers["retry-after"]
        assert answer["seconds"] > 4, "it really was waiting on the database when the signal came"
        with pytest.raises(OSError):
            urllib.request.urlopen(node.url + "/healthz", timeout=5)
    finally:
        node.stop()

"""A threaded HTTP server on 127.0.0.1 with failure injection, the base of each fake."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Failure:
    status: int = 500
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b'{"error": "injected"}'


Reply = tuple[int, dict[str, str], bytes]


class FakeServer:
    """Subclasses answer in ``reply``; ``fail_next`` queues failures that the next requests get instead."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.failures: deque[Failure] = deque()
        self.lock = threading.Lock()
        self.in_flight = 0
        self.most_in_flight = 0  # the most requests it held at one moment: how much a sender overlaps
        self.connections = 0  # how many connections senders opened: with keep-alive, fewer than requests
        self._open: set[socket.socket] = set()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            # HTTP/1.1, as real receivers speak it: a sender may keep its connection open between requests.
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                with fake.lock:
                    fake.connections += 1
                    fake._open.add(self.connection)

            def finish(self) -> None:
                with fake.lock:
                    fake._open.discard(self.connection)
                super().finish()

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                request = Request(
                    "POST", self.path, {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length)
                )
                with fake.lock:
                    fake.in_flight += 1
                    fake.most_in_flight = max(fake.most_in_flight, fake.in_flight)
                try:
                    status, headers, body = fake._answer(request)
                finally:
                    with fake.lock:
                        fake.in_flight -= 1
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def fail_next(self, *failures: Failure) -> None:
        with self.lock:
            self.failures.extend(failures)

    def _answer(self, request: Request) -> Reply:
        with self.lock:
            failure = self.failures.popleft() if self.failures else None
        if failure is not None:
            if failure.delay:
                # A slow answer: the client gives up first, and the message is NOT recorded as received.
                time.sleep(failure.delay)
            return failure.status, {"Content-Type": "application/json", **failure.headers}, failure.body
        reply = self.reply(request)
        with self.lock:
            self.requests.append(request)
        return reply

    def reply(self, request: Request) -> Reply:
        return 200, {"Content-Type": "application/json"}, b"{}"

    def drop_connections(self) -> None:
        """Closes every open connection, as a receiver does with idle keep-alive connections after its timeout."""
        with self.lock:
            open_now = list(self._open)
        for connection in open_now:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        # Kept-alive connections too: a later fake on the same port must never get a request meant for this one.
        self.drop_connections()


def json_reply(status: int, body: Any) -> Reply:
    return status, {"Content-Type": "application/json"}, json.dumps(body).encode()

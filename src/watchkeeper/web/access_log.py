"""The access log `watchkeeper serve` keeps: one line per request that reaches Django, a summary of snapshot hits.

The public status page takes the whole internet's refreshes during an outage. A line per snapshot hit through
Python's logging (what granian's own access log does) halved what the server could answer, so those hits are
counted instead and summed up once a period: an operator still sees how hard the page is being hit and whether
anything but 200 and 304 came back. Everything else (sign-in, pages, the API, errors) is rare next to that and
keeps its own line, with its status and duration, so problems can be traced request by request.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

log = logging.getLogger("watchkeeper.access")


class SnapshotHits:
    """Counts snapshot answers by status and logs their sum at most once per `period` seconds.

    The count is taken on the request path with no lock: each status has an `itertools.count`, whose `next()` is
    one indivisible step under the GIL, kept for the process's life. A flush reads each counter with one more
    `next()` and remembers where it read, so no hit is lost or counted twice however threads interleave. The line
    is written by whichever request first finds the period over, so an idle server writes nothing and needs no
    thread of its own.
    """

    def __init__(self, period: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.period = period
        self._clock = clock
        self._lock = threading.Lock()  # between flushes only
        self._counters: dict[str, itertools.count[int]] = {}
        self._read: dict[str, int] = {}  # per status: the counter's value just after the last flush read it
        self._since = clock()

    def count(self, status: str) -> None:
        counter = self._counters.get(status)
        if counter is None:
            counter = self._counters.setdefault(status, itertools.count())
        next(counter)
        if self._clock() - self._since >= self.period:
            self.flush()

    def flush(self) -> None:
        with self._lock:
            counts = {}
            for status, counter in list(self._counters.items()):
                # next() returns how many times it was called before: every hit, and this flush's earlier reads.
                value = next(counter)
                counts[status] = value - self._read.get(status, 0)
                self._read[status] = value + 1
            now = self._clock()
            seconds, self._since = now - self._since, now
        counts = {status: n for status, n in counts.items() if n}
        if counts:
            total = sum(counts.values())
            by_status = ", ".join(f"{status} {n}" for status, n in sorted(counts.items()))
            log.info("status page snapshot: %d requests in %.0f s (%s)", total, seconds, by_status)


class RequestLog:
    """WSGI middleware: one line per request, `METHOD path status bytes duration`, after the response is sent."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        seen: list[str] = []

        def recording_start_response(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            seen.append(status)
            return start_response(status, headers, *exc_info)

        body = self.app(environ, recording_start_response)
        return _Logged(body, environ, seen, started)


class _Logged:
    """Wraps a response body so the line is written once the server has taken all of it (or given up)."""

    def __init__(self, body: Iterable[bytes], environ: dict[str, Any], seen: list[str], started: float) -> None:
        self.body = body
        self.environ = environ
        self.seen = seen
        self.started = started
        self.size = 0

    def __iter__(self) -> Any:
        for chunk in self.body:
            self.size += len(chunk)
            yield chunk

    def close(self) -> None:
        try:
            close = getattr(self.body, "close", None)
            if close is not None:
                close()
        finally:
            environ = self.environ
            # The path alone: query strings can carry tokens (sign-in redirects, signed links) that logs must not keep.
            path = environ.get("PATH_INFO", "")
            status = self.seen[-1].split(" ", 1)[0] if self.seen else "-"
            log.info(
                "%s %s %s %s %d %.1fms",
                environ.get("REMOTE_ADDR", "-"),
                environ.get("REQUEST_METHOD", "-"),
                path,
                status,
                self.size,
                (time.perf_counter() - self.started) * 1000,
            )

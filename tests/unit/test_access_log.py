"""The access log: a line per request that reaches the app, and a periodic sum of snapshot hits."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable
from typing import Any

import pytest

from watchkeeper.web.access_log import RequestLog, SnapshotHits


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_snapshot_hits_are_summed_once_a_period(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    hits = SnapshotHits(60, clock=clock)
    with caplog.at_level(logging.INFO, logger="watchkeeper.access"):
        for _ in range(5):
            hits.count("200")
        hits.count("304")
        assert caplog.messages == []  # nothing until the period is over
        clock.now += 61
        hits.count("200")
    assert caplog.messages == ["status page snapshot: 7 requests in 61 s (200 6, 304 1)"]


def test_hits_from_many_threads_are_each_counted_once_across_flushes(caplog: pytest.LogCaptureFixture) -> None:
    hits = SnapshotHits(0.001)
    per_thread = 20_000

    def hit() -> None:
        for n in range(per_thread):
            hits.count("304" if n % 4 == 0 else "200")

    with caplog.at_level(logging.INFO, logger="watchkeeper.access"):
        threads = [threading.Thread(target=hit) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        hits.flush()
    totals = {"200": 0, "304": 0}
    for message in caplog.messages:
        for status, n in re.findall(r"(\d{3}) (\d+)", message.partition("(")[2]):
            totals[status] += int(n)
    assert len(caplog.messages) > 1, "the period is a millisecond, so the threads flushed as they went"
    assert totals == {"200": 4 * per_thread * 3 // 4, "304": 4 * per_thread // 4}


def test_an_idle_period_writes_nothing(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    hits = SnapshotHits(60, clock=clock)
    clock.now += 600
    with caplog.at_level(logging.INFO, logger="watchkeeper.access"):
        hits.flush()
    assert caplog.messages == []


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("404 Not Found", [("Content-Type", "text/plain")])
    return [b"not ", b"here"]


def test_each_request_gets_one_line_with_status_size_and_no_query(caplog: pytest.LogCaptureFixture) -> None:
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/incidents/x",
        "QUERY_STRING": "token=s3cret",
        "REMOTE_ADDR": "10.1.2.3",
    }
    statuses: list[str] = []
    with caplog.at_level(logging.INFO, logger="watchkeeper.access"):
        body = RequestLog(app)(environ, lambda status, headers, *exc: statuses.append(status))
        assert b"".join(body) == b"not here"
        assert caplog.messages == []  # written when the server closes the body, after sending it
        body.close()  # type: ignore[attr-defined]
    assert statuses == ["404 Not Found"]
    [line] = caplog.messages
    assert line.startswith("10.1.2.3 GET /incidents/x 404 8 ")
    assert line.endswith("ms")
    assert "s3cret" not in line

"""The baseline for bench/statuspage.py: a trivial WSGI app answering the snapshot's bytes from memory.

It does nothing a real app could skip (no routing, no conditional requests, no logging), so run on the same
server with the same settings it measures what the Python server itself can answer: the ceiling for the
status page. The bench points BASELINE_SNAPSHOT_DIR at the snapshot it serves the real app from.
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

_ROOT = Path(os.environ.get("BASELINE_SNAPSHOT_DIR", "."))
_BODIES: dict[str, tuple[bytes, list[tuple[str, str]]]] = {}
for _path, _name, _type in (
    ("/status/", "index.html", "text/html; charset=utf-8"),
    ("/status/api/v2/summary.json", "api/v2/summary.json", "application/json"),
):
    _file = _ROOT / _name
    if _file.exists():
        _body = gzip.compress(_file.read_bytes(), mtime=0)
        _headers = [("Content-Type", _type), ("Content-Encoding", "gzip"), ("Content-Length", str(len(_body)))]
        _BODIES[_path] = (_body, _headers)


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    body, headers = _BODIES[environ["PATH_INFO"]]
    start_response("200 OK", headers)
    return [body]

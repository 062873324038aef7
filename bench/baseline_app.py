"""The baseline for bench/statuspage.py: a trivial WSGI app replaying, from memory, the very response serve gave.

The bench asks `watchkeeper serve` for each page once (gzip accepted, as wrk asks) and writes the status line,
headers and body it got to BASELINE_RESPONSES; this app answers each path with those same bytes and does nothing a
real app could skip (no routing, no file checks, no conditional requests, no logging). On the same server with the
same settings it measures what the Python server itself can do with that response: the ceiling for the status page.
The headers count: the snapshot's eleven (security policy, caching, validators) cost the server about a sixth of its
throughput against a bare three, and a ceiling without them would charge that to the app.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

_RESPONSES: dict[str, tuple[str, list[tuple[str, str]], bytes]] = {
    path: (answer["status"], [(name, value) for name, value in answer["headers"]], base64.b64decode(answer["body"]))
    for path, answer in json.loads(Path(os.environ["BASELINE_RESPONSES"]).read_text()).items()
}


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    status, headers, body = _RESPONSES[environ["PATH_INFO"]]
    start_response(status, headers)
    return [body]

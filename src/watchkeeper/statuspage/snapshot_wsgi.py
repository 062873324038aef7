"""A WSGI wrapper that answers the public status page from the snapshot files, before Django.

During an outage the database may be gone; these requests never reach Django's request cycle, so the
page, its feeds and its JSON keep answering from the last snapshot. Anything without a file (sign-up,
publishing, assets) passes through to the wrapped application.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from email.utils import formatdate
from pathlib import Path
from typing import Any

from watchkeeper.statuspage.paths import CONTENT_TYPES, file_for

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class SnapshotApp:
    def __init__(
        self, app: WSGIApp, directory: Path | str | None = None, prefix: str = "/status/", max_age: int | None = None
    ) -> None:
        from watchkeeper.statuspage import conf

        self.app = app
        self.directory = Path(directory or conf.snapshot_dir())
        self.prefix = prefix
        self.max_age = conf.cache_seconds() if max_age is None else max_age
        # path -> (mtime_ns, size, body): files are small, and re-reading one only when it changes keeps this fast.
        self._cache: dict[str, tuple[int, int, bytes]] = {}

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "")
        if method in {"GET", "HEAD"} and path.startswith(self.prefix):
            name = file_for(path[len(self.prefix) :])
            if name is not None:
                found = self._read(name)
                if found is not None:
                    return self._respond(environ, start_response, name, *found)
        return self.app(environ, start_response)

    def _read(self, name: str) -> tuple[int, int, bytes] | None:
        target = self.directory / name
        try:
            stat = os.stat(target)
        except OSError:
            return None
        cached = self._cache.get(name)
        if cached and cached[0] == stat.st_mtime_ns and cached[1] == stat.st_size:
            return cached
        try:
            body = target.read_bytes()
        except OSError:
            return None
        entry = (stat.st_mtime_ns, len(body), body)
        self._cache[name] = entry
        return entry

    def _respond(
        self, environ: dict[str, Any], start_response: StartResponse, name: str, mtime_ns: int, size: int, body: bytes
    ) -> Iterable[bytes]:
        etag = f'"{mtime_ns:x}-{size:x}"'
        headers = [
            ("Content-Type", CONTENT_TYPES.get(os.path.splitext(name)[1], "application/octet-stream")),
            # Short freshness so updates show quickly; stale copies may stand in while the origin is in trouble.
            ("Cache-Control", f"public, max-age={self.max_age}, stale-while-revalidate=60, stale-if-error=86400"),
            ("ETag", etag),
            ("Last-Modified", formatdate(mtime_ns / 1e9, usegmt=True)),
            ("X-Content-Type-Options", "nosniff"),
            ("X-Frame-Options", "DENY"),
            ("Referrer-Policy", "same-origin"),
        ]
        if name.endswith(".json"):
            # Statuspage's public API allows any origin, so its embeddable widgets work from other sites.
            headers.append(("Access-Control-Allow-Origin", "*"))
        if etag in environ.get("HTTP_IF_NONE_MATCH", ""):
            start_response("304 Not Modified", headers)
            return [b""]
        headers.append(("Content-Length", str(size)))
        start_response("200 OK", headers)
        return [b""] if environ.get("REQUEST_METHOD") == "HEAD" else [body]


def django_with_snapshot() -> SnapshotApp:
    """The whole app as wsgi.py should serve it: Django, behind the snapshot."""
    from django.core.wsgi import get_wsgi_application

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "watchkeeper.settings")
    return SnapshotApp(get_wsgi_application())

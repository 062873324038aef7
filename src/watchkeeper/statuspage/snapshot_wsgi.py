"""A WSGI wrapper that answers the public status page from the snapshot files, before Django.

During an outage the database may be gone; these requests never reach Django's request cycle, so the
page, its feeds and its JSON keep answering from the last snapshot. Anything without a file (sign-up,
publishing, assets) passes through to the wrapped application.

This is the page everyone hits during an outage, so a request costs a clock read and a dictionary look-up:
the bytes, their gzip variant and every header are kept in memory until the file changes. Whether it changed is
asked of the file system (an ``os.stat``, half the cost of a request when asked every time) at most once every
``STATUSPAGE_RECHECK_SECONDS`` per file, so a new snapshot is served within that interval of being written.
"""

from __future__ import annotations

import gzip
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.utils import formatdate
from pathlib import Path
from typing import Any

from django.conf import settings

from watchkeeper.security_headers import POLICY
from watchkeeper.statuspage.paths import CONTENT_TYPES, GZIP_SUFFIX, file_for
from watchkeeper.web.access_log import SnapshotHits

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
Headers = list[tuple[str, str]]

EMPTY = [b""]


@dataclass(frozen=True)
class Entry:
    """One snapshot file as it is answered: identity (to notice a replacement), bodies and ready-made headers."""

    mtime_ns: int
    inode: int
    size: int
    etag: str
    gzip_etag: str
    plain: bytes
    compressed: bytes | None
    plain_headers: Headers
    gzip_headers: Headers
    plain_body: list[bytes]
    gzip_body: list[bytes]
    not_modified: Headers
    gzip_not_modified: Headers


def _accepts_gzip(accept: str) -> bool:
    # "gzip;q=0" refuses it; anything else naming gzip accepts it. Clients that say nothing get the plain bytes.
    if "gzip" not in accept:
        return False
    for part in accept.split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip() == "gzip":
            return params.replace(" ", "") not in {"q=0", "q=0.0", "q=0.00", "q=0.000"}
    return False


class SnapshotApp:
    def __init__(
        self,
        app: WSGIApp,
        directory: Path | str | None = None,
        prefix: str = "/status/",
        max_age: int | None = None,
        hits: SnapshotHits | None = None,
        recheck: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        from watchkeeper.statuspage import conf  # noqa: PLC0415 - wsgi.py imports this module before Django's settings are chosen

        self.app = app
        self.directory = str(directory or conf.snapshot_dir())
        self.prefix = prefix
        self.max_age = conf.cache_seconds() if max_age is None else max_age
        self.hits = hits
        self.recheck = conf.recheck_seconds() if recheck is None else recheck
        self._clock = clock
        self._cache_control = (
            # Short freshness so updates show quickly; stale copies may stand in while the origin is in trouble.
            f"public, max-age={self.max_age}, stale-while-revalidate=60, stale-if-error=86400"
        )
        # Sent only over HTTPS, as Django's SecurityMiddleware does: over plain http a browser must ignore it anyway.
        self._hsts = _hsts_header()
        self._behind_proxy = bool(getattr(settings, "BEHIND_PROXY", False))
        # Threads share these dicts; a race only means two threads load the same file once each, never a wrong answer.
        self._cache: dict[str, Entry] = {}  # by file name
        # By URL path: its file's entry and when it was last compared with the disk, on the monotonic clock.
        self._known: dict[str, tuple[Entry, float]] = {}
        self._names: dict[str, str | None] = {}
        self._gzip_for: dict[str, bool] = {}  # by Accept-Encoding value

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith(self.prefix):
            method = environ.get("REQUEST_METHOD", "GET")
            if method == "GET" or method == "HEAD":
                known = self._known.get(path)
                if known is not None and self._clock() - known[1] < self.recheck:
                    return self._answer(environ, start_response, known[0], method == "HEAD")
                entry = self._look(path)
                if entry is not None:
                    return self._answer(environ, start_response, entry, method == "HEAD")
        return self.app(environ, start_response)

    def _answer(
        self, environ: dict[str, Any], start_response: StartResponse, entry: Entry, head: bool
    ) -> Iterable[bytes]:
        if self._hsts and self._is_secure(environ):
            start_response = _with_headers(start_response, [self._hsts])
        accept = environ.get("HTTP_ACCEPT_ENCODING", "")
        use_gzip = self._gzip_for.get(accept)
        if use_gzip is None:
            use_gzip = _accepts_gzip(accept)
            # Browsers send a handful of distinct values; bounded against clients inventing them.
            if len(self._gzip_for) < 1_000:
                self._gzip_for[accept] = use_gzip
        use_gzip = use_gzip and entry.compressed is not None
        match = environ.get("HTTP_IF_NONE_MATCH")
        # Either representation's tag matches: the content is the same, and a cache may hold either.
        if match and (entry.etag in match or entry.gzip_etag in match or match.strip() == "*"):
            start_response("304 Not Modified", entry.gzip_not_modified if use_gzip else entry.not_modified)
            status, body = "304", EMPTY
        elif use_gzip:
            start_response("200 OK", entry.gzip_headers)
            status, body = "200", entry.gzip_body
        else:
            start_response("200 OK", entry.plain_headers)
            status, body = "200", entry.plain_body
        if self.hits is not None:
            self.hits.count(status)
        return EMPTY if head else body

    def _is_secure(self, environ: dict[str, Any]) -> bool:
        if environ.get("wsgi.url_scheme") == "https":
            return True
        return self._behind_proxy and environ.get("HTTP_X_FORWARDED_PROTO") == "https"

    def _name(self, path: str) -> str | None:
        try:
            return self._names[path]
        except KeyError:
            name = file_for(path[len(self.prefix) :])
            # Bounded, so a crawler inventing URLs cannot grow it without end.
            if len(self._names) < 10_000:
                self._names[path] = name
            return name

    def _look(self, path: str) -> Entry | None:
        """Asks the disk whether the file answering `path` is there and changed, loading it only if it did."""
        name = self._name(path)
        if name is None:
            return None
        now = self._clock()
        target = os.path.join(self.directory, name)
        try:
            stat = os.stat(target)
        except OSError:
            # Gone: forget it, so the next request asks the disk again and Django answers meanwhile.
            self._known.pop(path, None)
            return None
        cached = self._cache.get(name)
        if (
            cached is None
            or cached.mtime_ns != stat.st_mtime_ns
            or cached.inode != stat.st_ino
            or cached.size != stat.st_size
        ):
            cached = self._load(name, target)
            if cached is None:
                return None
            self._cache[name] = cached
        # Only paths with a file get here, so this grows no larger than the snapshot's own URLs.
        self._known[path] = (cached, now)
        return cached

    def _load(self, name: str, target: str) -> Entry | None:
        try:
            with open(target, "rb") as handle:
                stat = os.fstat(handle.fileno())
                plain = handle.read()
        except OSError:
            return None
        compressed = self._compressed(target, stat.st_mtime_ns, plain)
        etag = f'"{stat.st_mtime_ns:x}-{len(plain):x}"'
        gzip_etag = f'"{stat.st_mtime_ns:x}-{len(plain):x}-gz"'
        common = [
            ("Content-Type", CONTENT_TYPES.get(os.path.splitext(name)[1], "application/octet-stream")),
            ("Cache-Control", self._cache_control),
            ("Last-Modified", formatdate(stat.st_mtime_ns / 1e9, usegmt=True)),
            ("Vary", "Accept-Encoding"),
            ("X-Content-Type-Options", "nosniff"),
            ("X-Frame-Options", "DENY"),
            ("Referrer-Policy", "same-origin"),
            ("Content-Security-Policy", POLICY),
        ]
        if name.endswith(".json"):
            # Statuspage's public API allows any origin, so its embeddable widgets work from other sites.
            common.append(("Access-Control-Allow-Origin", "*"))
        return Entry(
            mtime_ns=stat.st_mtime_ns,
            inode=stat.st_ino,
            size=len(plain),
            etag=etag,
            gzip_etag=gzip_etag,
            plain=plain,
            compressed=compressed,
            plain_headers=[*common, ("ETag", etag), ("Content-Length", str(len(plain)))],
            plain_body=[plain],
            gzip_body=[compressed or b""],
            gzip_headers=[
                *common,
                ("ETag", gzip_etag),
                ("Content-Encoding", "gzip"),
                ("Content-Length", str(len(compressed or b""))),
            ],
            not_modified=[*common, ("ETag", etag)],
            gzip_not_modified=[*common, ("ETag", gzip_etag), ("Content-Encoding", "gzip")],
        )

    @staticmethod
    def _compressed(target: str, mtime_ns: int, plain: bytes) -> bytes | None:
        """The writer's .gz beside the file, if it belongs to this very version (the writer gives both one mtime);
        else compressed here, once per change, so a snapshot written by hand or an older writer still gets gzip."""
        try:
            with open(target + GZIP_SUFFIX, "rb") as handle:
                if os.fstat(handle.fileno()).st_mtime_ns == mtime_ns:
                    return handle.read()
        except OSError:
            pass
        return gzip.compress(plain, mtime=0) if len(plain) > 256 else None


def _hsts_header() -> tuple[str, str] | None:
    seconds = int(getattr(settings, "SECURE_HSTS_SECONDS", 0) or 0)
    if seconds <= 0:
        return None
    value = f"max-age={seconds}"
    if getattr(settings, "SECURE_HSTS_INCLUDE_SUBDOMAINS", False):
        value += "; includeSubDomains"
    if getattr(settings, "SECURE_HSTS_PRELOAD", False):
        value += "; preload"
    return ("Strict-Transport-Security", value)


def _with_headers(start_response: StartResponse, extra: list[tuple[str, str]]) -> StartResponse:
    def wrapped(status: str, headers: Any, *args: Any) -> Any:
        return start_response(status, [*headers, *extra], *args)

    return wrapped  # type: ignore[return-value]


def django_with_snapshot() -> SnapshotApp:
    """The whole app as wsgi.py serves it: Django behind the snapshot, with the access log unless it is off."""
    from django.conf import settings  # noqa: PLC0415 - wsgi.py imports this module before Django's settings are chosen
    from django.core.wsgi import get_wsgi_application  # noqa: PLC0415 - wsgi.py imports this module before Django's settings are chosen

    from watchkeeper.web.access_log import RequestLog  # noqa: PLC0415 - wsgi.py imports this module before Django's settings are chosen

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "watchkeeper.settings")
    django = get_wsgi_application()
    if not settings.ACCESS_LOG:
        return SnapshotApp(django)
    return SnapshotApp(RequestLog(django), hits=SnapshotHits(settings.ACCESS_LOG_SNAPSHOT_SECONDS))

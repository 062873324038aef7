"""Pushing each new snapshot version to S3-compatible object storage, for a CDN (`STATUSPAGE_S3_URL`).

`STATUSPAGE_S3_URL` is path-style: `https://s3.eu-west-2.amazonaws.com/BUCKET/PREFIX`. Requests are signed with
AWS Signature Version 4 (`STATUSPAGE_S3_ACCESS_KEY_ID`, `STATUSPAGE_S3_SECRET_ACCESS_KEY`, `STATUSPAGE_S3_REGION`).
Each PUT replaces one object whole. Within a version the changed files go first, the page next and
`.manifest.json` (naming the version) last; a version older than the one the bucket holds is never pushed, so
readers see versions only move forward, as on a node's disk.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from watchkeeper.statuspage import conf, snapshot_files, snapshot_store
from watchkeeper.statuspage.paths import CONTENT_TYPES

TIMEOUT = 10.0
MANIFEST = ".manifest.json"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def signed_headers(method: str, target: str, payload_sha256: str, now: datetime) -> dict[str, str]:
    """The headers that authorise one request, per AWS Signature Version 4 (no query string)."""
    parts = urllib.parse.urlsplit(target)
    region = str(getattr(settings, "STATUSPAGE_S3_REGION", "us-east-1"))
    amz_date, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
    headers = {"host": parts.netloc, "x-amz-content-sha256": payload_sha256, "x-amz-date": amz_date}
    names = ";".join(sorted(headers))
    canonical = "\n".join(
        [
            method,
            urllib.parse.quote(parts.path or "/", safe="/-_.~"),
            "",
            "".join(f"{name}:{headers[name]}\n" for name in sorted(headers)),
            names,
            payload_sha256,
        ]
    )
    scope = f"{day}/{region}/s3/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = ("AWS4" + str(getattr(settings, "STATUSPAGE_S3_SECRET_ACCESS_KEY", ""))).encode()
    for part in (day, region, "s3", "aws4_request"):
        key = _hmac(key, part)
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    access = str(getattr(settings, "STATUSPAGE_S3_ACCESS_KEY_ID", ""))
    headers["authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={access}/{scope}, SignedHeaders={names}, Signature={signature}"
    )
    return headers


def put(name: str, content: bytes, digest: str) -> None:
    target = f"{conf.s3_url()}/{name}"
    extension = "." + name.rsplit(".", 1)[-1] if "." in name else ""
    headers = signed_headers("PUT", target, digest, datetime.now(UTC))
    headers["content-type"] = CONTENT_TYPES.get(extension, "application/json")
    headers["cache-control"] = "public, max-age=15, stale-while-revalidate=60, stale-if-error=86400"
    request = urllib.request.Request(target, data=content, method="PUT", headers=headers)
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # 4xx and 5xx raise HTTPError
        response.read()


def pushed() -> dict[str, Any]:
    """The bucket's manifest: {"epoch", "version", "files"}, version 0 when there is none yet."""
    target = f"{conf.s3_url()}/{MANIFEST}"
    request = urllib.request.Request(target, headers=signed_headers("GET", target, EMPTY_SHA256, datetime.now(UTC)))
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            data = json.loads(response.read())
    except urllib.error.HTTPError as error:
        if error.code in (403, 404):  # S3 answers 403 for a missing key when listing is not allowed
            return {"epoch": "", "version": 0, "files": {}}
        raise
    return {"epoch": str(data.get("epoch", "")), "version": int(data["version"]), "files": dict(data["files"])}


def push(epoch: str, number: int, manifest: Mapping[str, str], before: Mapping[str, str], contents: Any) -> int:
    """Uploads version ``number``'s files that differ from ``before``, then its manifest; returns how many files.

    ``contents`` maps digests to bytes (fetched from the database for exactly the changed files).
    """
    changed = sorted((n for n, d in manifest.items() if before.get(n) != d), key=lambda n: n == "index.html")
    blobs = contents([manifest[name] for name in changed])
    for name in changed:
        put(name, blobs[manifest[name]], manifest[name])
    pointer = json.dumps({"epoch": epoch, "version": number, "files": dict(manifest)}).encode()
    put(MANIFEST, pointer, hashlib.sha256(pointer).hexdigest())
    return len(changed)


PUSH_LOCK = 0x5741544348  # any constant: names the advisory lock that keeps two pushes from interleaving


@contextmanager
def _one_pusher() -> Iterator[None]:
    """One push at a time across every worker: an advisory lock on PostgreSQL, a file lock on SQLite's one machine."""

    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PUSH_LOCK])
            yield
        return

    with snapshot_files.locked(conf.snapshot_dir() / ".s3"):
        yield


def push_current() -> int:
    """Pushes the database's current version unless the bucket holds it or a newer one; returns files uploaded."""

    with _one_pusher():
        epoch, number = snapshot_store.head()
        remote = pushed()
        version = snapshot_store.version(number)
        if version is None or (remote["epoch"] == epoch and remote["version"] >= number):
            return 0
        before = remote["files"] if remote["epoch"] == epoch else {}
        return push(epoch, number, version.files, before, snapshot_store.contents)

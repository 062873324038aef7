"""One small module per kind of channel, each behind the same interface.

A transport sends one message and says how it went: it returns what the receiver called the message,
raises Transient for failures worth retrying (timeouts, connection errors, 5xx, 429) and Permanent for
the rest (other 4xx, bad configuration). It never touches the database; delivery.py does that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import Any, Protocol
from urllib.parse import quote, urlsplit

from django.utils import timezone


@dataclass(frozen=True)
class Outgoing:
    key: str  # the idempotency key: webhook-id, Notify reference
    event: str
    kind: str
    recipient: str
    payload: dict[str, Any]
    secret: str = ""
    template_id: str = ""
    # Where an earlier message about this incident went on this channel: (conversation, message ref).
    thread: tuple[str, str] | None = None
    timeout: float = 10.0


@dataclass(frozen=True)
class Sent:
    external_id: str = ""
    # Set when this message started a thread that later messages should join.
    thread: tuple[str, str] | None = None


class Transient(Exception):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Permanent(Exception):
    pass


class Transport(Protocol):
    def send(self, message: Outgoing) -> Sent: ...


def classify_status(status: int, body: str, retry_after: str | None) -> None:
    """Raises for an HTTP failure: 429 and 5xx are worth retrying, other 4xx are not."""
    if status < 400:
        return
    detail = f"HTTP {status}: {body[:300]}"
    if status == 429 or status >= 500:
        raise Transient(detail, parse_retry_after(retry_after))
    raise Permanent(detail)


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After as seconds to wait: either delay-seconds or an HTTP-date (RFC 9110 section 10.2.3)."""
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None  # unreadable: the usual backoff applies
    if when.tzinfo is None:
        # "-0000" parses as naive; HTTP dates are always GMT.
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - timezone.now()).total_seconds())


# Any absolute URL in an error: its path and query are where webhook credentials live.
_URL = re.compile(r"[a-z][a-z0-9+.-]*://[^\s'\"<>()]+", re.IGNORECASE)
# urllib3 names the path alone: "Max retries exceeded with url: /services/T0/B0/secret (Caused by ...)".
_URL_PATH = re.compile(r"(\burl: )\S+", re.IGNORECASE)
REDACTED = "[redacted]"


def _origin(match: re.Match[str]) -> str:
    try:
        parts = urlsplit(match.group())
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return REDACTED
    return f"{parts.scheme}://{host}{port}/{REDACTED}"


def scrub(text: str, *secrets: str) -> str:
    """An error as safe to store and show to anyone who can read the delivery: no secret, and no URL beyond its
    scheme and host. Applied where a transport's exception becomes text, so no transport can forget it."""
    for secret in secrets:
        if not secret:
            continue
        parts = urlsplit(secret) if "://" in secret else None
        pieces = [secret, quote(secret, safe="")]
        if parts is not None:
            pieces += [parts.path + (f"?{parts.query}" if parts.query else ""), parts.path, parts.query]
        for piece in sorted({p for p in pieces if len(p) > 3}, key=len, reverse=True):
            text = text.replace(piece, REDACTED)
    text = _URL.sub(_origin, text)
    return _URL_PATH.sub(lambda m: m.group(1) + REDACTED, text)

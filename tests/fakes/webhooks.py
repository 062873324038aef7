"""A webhook receiver that checks Standard Webhooks signatures and, as the spec asks, ignores repeated ids."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

from tests.fakes.http import FakeServer, Reply, Request, json_reply

TOLERANCE_SECONDS = 300
WEBHOOK_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def verify(secret: str, request: Request) -> bool:
    message_id = request.headers.get("webhook-id", "")
    timestamp = request.headers.get("webhook-timestamp", "")
    if not message_id or not timestamp.isdigit() or abs(time.time() - int(timestamp)) > TOLERANCE_SECONDS:
        return False
    key = base64.b64decode(secret.removeprefix("whsec_"))
    expected = base64.b64encode(
        hmac.new(key, f"{message_id}.{timestamp}.".encode() + request.body, hashlib.sha256).digest()
    ).decode()
    offered = [part.split(",", 1)[1] for part in request.headers.get("webhook-signature", "").split() if "," in part]
    return any(hmac.compare_digest(expected, signature) for signature in offered)


class WebhookReceiver(FakeServer):
    def __init__(self, secret: str, latency: float = 0.0) -> None:
        self.secret = secret
        self.latency = latency
        self.received: dict[str, Any] = {}  # by webhook-id: each message once
        self.deliveries = 0  # every accepted request, repeats included
        self.rejected = 0
        super().__init__()

    def reply(self, request: Request) -> Reply:
        if not verify(self.secret, request):
            self.rejected += 1
            return json_reply(401, {"error": "bad signature"})
        with self.lock:
            self.deliveries += 1
            self.received.setdefault(request.headers["webhook-id"], request.json())
        if self.latency:
            # Received but not yet acknowledged: a sender that dies now must send again, and the id makes it harmless.
            time.sleep(self.latency)
        return 204, {}, b""


class TeamsWebhook(FakeServer):
    """A Teams Workflows webhook: accepts a message with an Adaptive Card attachment, answers 202."""

    def reply(self, request: Request) -> Reply:
        body = request.json()
        attachments = body.get("attachments") or []
        if body.get("type") != "message" or not attachments:
            return json_reply(400, {"error": "not a message with attachments"})
        if attachments[0].get("contentType") != "application/vnd.microsoft.card.adaptive":
            return json_reply(400, {"error": "not an adaptive card"})
        return 202, {}, b""

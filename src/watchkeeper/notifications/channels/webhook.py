"""Webhooks signed per the Standard Webhooks specification (https://www.standardwebhooks.com/)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

from watchkeeper.notifications.channels import Outgoing, Permanent, Sent
from watchkeeper.notifications.channels.http import post_json

SECRET_PREFIX = "whsec_"


def secret_bytes(secret: str) -> bytes:
    try:
        return base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except ValueError:
        raise Permanent("the webhook secret must be whsec_ followed by base64") from None


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_bytes(secret), signed, hashlib.sha256).digest()
    return f"v1,{base64.b64encode(digest).decode()}"


class WebhookTransport:
    def __init__(self, *, allow_private: bool | None = None) -> None:
        # None: the channels' setting; the status page passes its own for the public's endpoints.
        self.allow_private = allow_private

    def send(self, message: Outgoing) -> Sent:
        body = json.dumps(message.payload, separators=(",", ":")).encode()
        timestamp = int(time.time())
        headers = {
            "webhook-id": message.key,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(message.secret, message.key, timestamp, body),
        }
        post_json(message.recipient, body, message.timeout, headers, allow_private=self.allow_private)
        return Sent(external_id=message.key)

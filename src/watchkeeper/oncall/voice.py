"""Voice calls through a pluggable provider: any class with ``send(Outgoing) -> Sent`` named in settings.

The one implementation here posts JSON to an HTTP endpoint ({"to", "message", "reference"}) with a bearer key
and expects {"id"} back; a small adapter in front of a telephony provider can speak it.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.utils.module_loading import import_string

from watchkeeper.notifications.channels import Outgoing, Permanent, Sent, Transport
from watchkeeper.notifications.channels.http import post_json


def provider() -> Transport:
    transport: Transport = import_string(str(settings.ONCALL["VOICE_PROVIDER"]))()
    return transport


class HttpVoiceTransport:
    def send(self, message: Outgoing) -> Sent:
        url = str(settings.ONCALL["VOICE_URL"])
        if not url:
            raise Permanent("no voice-call provider: set WATCHKEEPER_VOICE_URL")
        data = message.payload["data"]
        spoken = f"{data['headline']}. {data['text']}".strip()
        headers = {"Authorization": f"Bearer {settings.ONCALL['VOICE_API_KEY']}", "Idempotency-Key": message.key}
        body = {"to": message.recipient, "message": spoken, "reference": message.key}
        text = post_json(url, body, message.timeout, headers)
        try:
            answer = json.loads(text or "{}")
        except ValueError:
            answer = {}
        return Sent(external_id=str(answer.get("id", "")) if isinstance(answer, dict) else "")

"""The parts of the Slack Web API Watchkeeper uses: chat.postMessage and chat.update, with bot-token auth."""

from __future__ import annotations

import itertools
import json
from typing import Any
from urllib.parse import parse_qs

from tests.fakes.http import FakeServer, Reply, Request, json_reply


class FakeSlack(FakeServer):
    def __init__(self, token: str = "xoxb-test-token") -> None:
        self.token = token
        self.messages: list[dict[str, Any]] = []
        self.updates: list[dict[str, Any]] = []
        self._ts = itertools.count(1)
        super().__init__()

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def reply(self, request: Request) -> Reply:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return json_reply(200, {"ok": False, "error": "invalid_auth"})
        if request.headers.get("content-type", "").startswith("application/json"):
            args = request.json()
        else:
            args = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
        if isinstance(args.get("blocks"), str):
            args["blocks"] = json.loads(args["blocks"])
        if request.path == "/api/chat.postMessage":
            if not str(args.get("channel", "")).strip():
                return json_reply(200, {"ok": False, "error": "channel_not_found"})
            ts = f"1700000000.{next(self._ts):06d}"
            self.messages.append({**args, "ts": ts})
            return json_reply(200, {"ok": True, "channel": "C0INCIDENT", "ts": ts, "message": {"text": args["text"]}})
        if request.path == "/api/chat.update":
            self.updates.append(args)
            return json_reply(200, {"ok": True, "channel": args["channel"], "ts": args["ts"]})
        return json_reply(404, {"ok": False, "error": "unknown_method"})

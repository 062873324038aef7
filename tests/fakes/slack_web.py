"""FakeSlack plus the Web API methods the Slack app uses: channels, ephemeral messages, pins, bookmarks, views, users.

Answers follow Slack's: HTTP 200 with ``ok: false`` and an error code for refusals, GET for the read methods,
and the base class's failure injection for 429 with Retry-After.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.fakes.http import Reply, Request, json_reply
from tests.fakes.slack import FakeSlack


@dataclass
class Channel:
    id: str
    name: str
    is_private: bool
    members: set[str] = field(default_factory=set)
    topic: str = ""
    archived: bool = False
    pins: list[str] = field(default_factory=list)
    bookmarks: list[dict[str, Any]] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)


class FakeSlackWeb(FakeSlack):
    BOT_ID = "UBOT"

    def __init__(self, token: str = "xoxb-test-token") -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, Channel] = {}
        self.ephemerals: list[dict[str, Any]] = []
        self.views: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        super().__init__(token)
        self._answer_gets()

    def _answer_gets(self) -> None:
        """The read methods (users.info, users.lookupByEmail, conversations.history) are GETs with a query."""
        fake = self

        def do_GET(handler: BaseHTTPRequestHandler) -> None:
            url = urlsplit(handler.path)
            headers = {k.lower(): v for k, v in handler.headers.items()}
            headers["content-type"] = "application/x-www-form-urlencoded"
            status, reply_headers, body = fake._answer(Request("GET", url.path, headers, url.query.encode()))
            handler.send_response(status)
            for name, value in reply_headers.items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)

        self.server.RequestHandlerClass.do_GET = do_GET  # type: ignore[attr-defined]

    # -- set-up helpers for tests ---------------------------------------------------------------------------------
    def add_user(self, slack_id: str, email: str, name: str = "") -> None:
        name = name or email.split("@")[0]
        self.users[slack_id] = {"id": slack_id, "name": name, "profile": {"email": email, "real_name": name.title()}}

    def add_channel(self, channel_id: str, name: str, *messages: dict[str, Any]) -> Channel:
        channel = Channel(channel_id, name, False, {self.BOT_ID}, history=list(messages))
        self.channels[channel_id] = channel
        return channel

    def called(self, method: str) -> list[dict[str, Any]]:
        return [args for name, args in self.calls if name == method]

    # -- the API ----------------------------------------------------------------------------------------------------
    def reply(self, request: Request) -> Reply:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return json_reply(200, {"ok": False, "error": "invalid_auth"})
        method = request.path.removeprefix("/api/")
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        if handler is None:
            return super().reply(request)
        if request.headers.get("content-type", "").startswith("application/json"):
            args = request.json()
        else:
            args = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
        for key in ("blocks", "view"):
            if isinstance(args.get(key), str):
                args[key] = json.loads(args[key])
        with self.lock:
            self.calls.append((method, args))
        result: dict[str, Any] = handler(args)
        return json_reply(200, result)

    def _error(self, code: str) -> dict[str, Any]:
        return {"ok": False, "error": code}

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "team": "GDS",
            "user": "watchkeeper",
            "team_id": "T1",
            "user_id": self.BOT_ID,
            "bot_id": "B1",
        }

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(args.get("user", ""))
        return {"ok": True, "user": user} if user else self._error("user_not_found")

    def _users_lookupByEmail(self, args: dict[str, Any]) -> dict[str, Any]:
        for user in self.users.values():
            if user["profile"]["email"].lower() == str(args.get("email", "")).lower():
                return {"ok": True, "user": user}
        return self._error("users_not_found")

    def _conversations_create(self, args: dict[str, Any]) -> dict[str, Any]:
        name = str(args.get("name", ""))
        if not name or len(name) > 80 or name != name.lower() or " " in name:
            return self._error("invalid_name_specials")
        if any(channel.name == name for channel in self.channels.values()):
            return self._error("name_taken")
        channel_id = f"C{next(self._ids):08d}"
        private = str(args.get("is_private", "")).lower() in {"true", "1"}
        self.channels[channel_id] = Channel(channel_id, name, private, {self.BOT_ID})
        return {"ok": True, "channel": {"id": channel_id, "name": name, "is_private": private}}

    def _channel(self, args: dict[str, Any], key: str = "channel") -> Channel | None:
        return self.channels.get(str(args.get(key, "")))

    def _conversations_invite(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args)
        if channel is None:
            return self._error("channel_not_found")
        users = [u for u in str(args.get("users", "")).split(",") if u]
        if any(u == self.BOT_ID for u in users):
            return self._error("cant_invite_self")
        if any(u in channel.members for u in users):
            return self._error("already_in_channel")
        channel.members.update(users)
        return {"ok": True, "channel": {"id": channel.id}}

    def _conversations_setTopic(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args)
        if channel is None:
            return self._error("channel_not_found")
        channel.topic = str(args.get("topic", ""))
        return {"ok": True, "channel": {"id": channel.id, "topic": {"value": channel.topic}}}

    def _conversations_archive(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args)
        if channel is None:
            return self._error("channel_not_found")
        if channel.archived:
            return self._error("already_archived")
        channel.archived = True
        return {"ok": True}

    def _conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args)
        if channel is None:
            return self._error("channel_not_found")
        return {
            "ok": True,
            "channel": {
                "id": channel.id,
                "name": channel.name,
                "is_channel": not channel.is_private,
                "is_group": channel.is_private,
                "is_private": channel.is_private,
                "is_archived": channel.archived,
                "topic": {"value": channel.topic},
            },
        }

    def _conversations_rename(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args)
        if channel is None:
            return self._error("channel_not_found")
        if channel.archived:
            return self._error("is_archived")
        name = str(args.get("name", ""))
        if not name or len(name) > 80 or name != name.lower() or " " in name:
            return self._error("invalid_name_specials")
        if any(other.name == name for other in self.channels.values() if other is not channel):
            return self._error("name_taken")
        channel.name = name
        return {"ok": True, "channel": {"id": channel.id, "name": name}}

    def _conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args)
        if channel is None:
            return self._error("channel_not_found")
        latest = float(args.get("latest", "inf"))
        found = sorted((m for m in channel.history if float(m["ts"]) <= latest), key=lambda m: -float(m["ts"]))
        return {"ok": True, "messages": found[: int(args.get("limit", 100))], "has_more": False}

    def _chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args)
        if channel is None or self.BOT_ID not in channel.members:
            return self._error("channel_not_found" if channel is None else "not_in_channel")
        self.ephemerals.append(args)
        return {"ok": True, "message_ts": f"1700000000.{next(self._ids):06d}"}

    def _pins_add(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args)
        if channel is None:
            return self._error("channel_not_found")
        channel.pins.append(str(args.get("timestamp")))
        return {"ok": True}

    def _bookmarks_add(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args, "channel_id")
        if channel is None:
            return self._error("channel_not_found")
        channel.bookmarks.append(args)
        return {"ok": True, "bookmark": {"id": f"Bk{next(self._ids)}", **args}}

    def _views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("trigger_id"):
            return self._error("invalid_trigger_id")
        self.views.append(args["view"])
        return {"ok": True, "view": {"id": f"V{next(self._ids)}", "hash": "h1", **args["view"]}}

    def _views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        self.views.append(args["view"])
        return {"ok": True, "view": {"id": args.get("view_id"), "hash": "h2", **args["view"]}}


SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def signature(body: str, timestamp: str, secret: str = SIGNING_SECRET) -> str:
    """Exactly as Slack signs: v0= and the HMAC-SHA256 of ``v0:{timestamp}:{body}`` with the signing secret."""
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return f"v0={digest}"


def signed_headers(body: str, *, timestamp: int | None = None, secret: str = SIGNING_SECRET) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return {"HTTP_X_SLACK_REQUEST_TIMESTAMP": stamp, "HTTP_X_SLACK_SIGNATURE": signature(body, stamp, secret)}


_triggers = itertools.count(1)


def command_body(text: str, *, user: str = "U1", channel: str = "CGENERAL", command: str = "/incident") -> str:
    return urlencode(
        {
            "token": "deprecated-verification-token",
            "team_id": "T1",
            "team_domain": "gds",
            "channel_id": channel,
            "channel_name": "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text,
            "api_app_id": "A1",
            "response_url": "https://hooks.slack.com/commands/T1/1/abc",
            # Slack gives every invocation its own trigger id, so two identical commands are two different requests.
            "trigger_id": f"13345224609.738474920.{next(_triggers):013d}",
        }
    )


def interaction_body(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload)})


def event_body(event: dict[str, Any]) -> str:
    return json.dumps(
        {
            "token": "deprecated-verification-token",
            "team_id": "T1",
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": f"Ev{int(time.time() * 1000)}",
            "event_time": int(time.time()),
            "event": event,
        }
    )


def configure(settings: Any) -> FakeSlackWeb:
    """A fake Slack wired into Django's settings, with alice (U1), bob (U2), a viewer and a stranger."""
    fake = FakeSlackWeb()
    settings.SLACK_API_URL = fake.api_url
    settings.SLACK_BOT_TOKEN = fake.token
    settings.SLACK_SIGNING_SECRET = SIGNING_SECRET
    fake.add_user("U1", "alice@example.gov.uk")
    fake.add_user("U2", "bob@example.gov.uk")
    fake.add_user("UVIEW", "victor@example.gov.uk")
    fake.add_user("USTRANGER", "stranger@elsewhere.example")
    fake.add_channel("CGENERAL", "general")
    return fake

"""The Slack app's settings, read from Django settings first and the environment second."""

from __future__ import annotations

import os

from django.conf import settings
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler


def _setting(name: str, default: str = "") -> str:
    return str(getattr(settings, name, None) or os.environ.get(name, default))


def bot_token() -> str:
    return _setting("SLACK_BOT_TOKEN")


def signing_secret() -> str:
    return _setting("SLACK_SIGNING_SECRET")


def app_token() -> str:
    return _setting("SLACK_APP_TOKEN")


def command_name() -> str:
    return _setting("SLACK_COMMAND", "/incident")


def pin_reaction() -> str:
    return _setting("SLACK_PIN_REACTION", "pushpin").strip(":")


def api_url() -> str:
    return _setting("SLACK_API_URL", "https://slack.com/api/")


def web_client(token: str | None = None, base_url: str | None = None, timeout: int = 10) -> WebClient:
    """A client that waits out Slack's 429 Retry-After instead of failing the request."""
    client = WebClient(token=token or bot_token() or None, base_url=base_url or api_url(), timeout=timeout)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=3))
    return client

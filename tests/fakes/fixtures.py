"""pytest fixtures for the fakes; a test module imports the ones it uses."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.fakes.notify import API_KEY, FakeNotify
from tests.fakes.slack import FakeSlack
from tests.fakes.smtp import SmtpServer
from tests.fakes.webhooks import WEBHOOK_SECRET, TeamsWebhook, WebhookReceiver


@pytest.fixture
def fast_retries(settings: Any) -> None:
    settings.NOTIFICATIONS = {**settings.NOTIFICATIONS, "BACKOFF_SECONDS": 1, "SEND_TIMEOUT_SECONDS": 1}


@pytest.fixture
def smtp(settings: Any) -> Iterator[SmtpServer]:
    server = SmtpServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    yield server
    server.stop()


@pytest.fixture
def slack(settings: Any) -> Iterator[FakeSlack]:
    server = FakeSlack()
    settings.SLACK_API_URL = server.api_url
    settings.SLACK_BOT_TOKEN = server.token
    yield server
    server.close()


@pytest.fixture
def notify(settings: Any) -> Iterator[FakeNotify]:
    server = FakeNotify()
    settings.NOTIFY_BASE_URL = server.url
    settings.NOTIFY_API_KEY = API_KEY
    yield server
    server.close()


@pytest.fixture
def allow_private_endpoints(settings: Any) -> None:
    """The fakes listen on 127.0.0.1, which channels refuse unless an admin allows private addresses."""
    settings.WATCHKEEPER_ALLOW_PRIVATE_ENDPOINTS = True


@pytest.fixture
def receiver(allow_private_endpoints: None) -> Iterator[WebhookReceiver]:
    server = WebhookReceiver(WEBHOOK_SECRET)
    yield server
    server.close()


@pytest.fixture
def teams(allow_private_endpoints: None) -> Iterator[TeamsWebhook]:
    server = TeamsWebhook()
    yield server
    server.close()

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest

from tests.factories import static_files
from tests.fakes.slack_web import FakeSlackWeb, configure
from watchkeeper.incidents import events


@pytest.fixture(scope="session", autouse=True)
def _collected_static() -> Iterator[None]:
    yield from static_files()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # Real hashing is tested by Django; here it would only make every factory-made user slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


Listen = Callable[..., list[events.IncidentEvent]]


@pytest.fixture
def listen() -> Iterator[Listen]:
    """listen(names) starts hearing the events named (every event without names) on the one bus; each listener is
    unsubscribed when the test ends, so no test hears another's events."""
    handlers: list[events.Handler] = []

    def start(names: Iterable[str] | None = None) -> list[events.IncidentEvent]:
        heard: list[events.IncidentEvent] = []
        handlers.append(events.add_handler(heard.append, names))
        return heard

    yield start
    for handler in handlers:
        events.remove_handler(handler)


@pytest.fixture
def slack(settings: Any) -> Iterator[FakeSlackWeb]:
    """A local fake of Slack's Web API, with the settings pointing the Slack app at it."""
    fake = configure(settings)
    yield fake
    fake.close()

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connections
from django.test.testcases import LiveServerThread

from tests.e2e.browser import CHROMIUM, launch
from tests.factories import static_files

# CI runs the suite twice, on SQLite and on PostgreSQL. What does not depend on the database (the browser, the
# process supervision of serve and worker, start-up checks) runs once, in the SQLite pass; the benchmark smoke run
# covers both databases, so it runs once, in the PostgreSQL pass. WATCHKEEPER_EVERY_PASS=1 runs everything.
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")
EVERY_PASS = os.environ.get("WATCHKEEPER_EVERY_PASS") == "1"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if EVERY_PASS:
        return
    for item in items:
        if ON_POSTGRES and (item.get_closest_marker("browser") or item.get_closest_marker("sqlite_pass")):
            item.add_marker(pytest.mark.skip(reason="runs once, in the SQLite pass: it needs no particular database"))
        if not ON_POSTGRES and item.get_closest_marker("postgres_pass"):
            item.add_marker(pytest.mark.skip(reason="runs once, in the PostgreSQL pass, which covers both databases"))


# Playwright's sync API keeps an event loop on the main thread; the test's own ORM calls are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session", autouse=True)
def _collected_static() -> Iterator[None]:
    yield from static_files()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    yield from launch()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    # Every page must keep to its Content-Security-Policy: Chromium reports each refusal on the console.
    refused: list[str] = []
    page.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    yield page
    context.close()
    assert refused == [], f"the Content-Security-Policy refused: {refused}"


class LiveServer:
    def __init__(self, url: str) -> None:
        self.url = url

    def __str__(self) -> str:
        return self.url


@pytest.fixture
def app_server(transactional_db: None) -> Iterator[LiveServer]:
    """The real app on a real port, assets served by WhiteNoise from the collected files as in production.

    pytest-django's own live server serves assets from the source folders, which hides a broken manifest.
    """

    shared = {c.alias: c for c in connections.all() if c.vendor == "sqlite" and c.is_in_memory_db()}
    for connection in shared.values():
        connection.inc_thread_sharing()
    thread = LiveServerThread("127.0.0.1", lambda app: app, connections_override=shared, port=0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield LiveServer(f"http://127.0.0.1:{thread.port}")
    thread.terminate()
    for connection in shared.values():
        connection.dec_thread_sharing()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # Real hashing is tested by Django; here it would only make every factory-made user slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

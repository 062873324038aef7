"""Debian's prometheus-alertmanager, an HA pair of them, driven at a running Watchkeeper through both its
webhook_configs and its pagerduty_configs url: one firing alert is one group and one page, resolution resolves the
group, and 100 replays of what Alertmanager sent add no page."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.servers.basehttp import WSGIServer
from django.db import connections
from django.test.testcases import LiveServerThread

from tests.factories import make_integration, make_policy, make_user
from tests.fakes.alertmanager import Alertmanager, now_iso
from tests.fakes.http import FakeServer
from watchkeeper.accounts.services import create_token
from watchkeeper.alerts.models import Alert, AlertGroup
from watchkeeper.oncall.models import Page

pytestmark = pytest.mark.django_db(transaction=True)


class OneAtATime(WSGIServer):
    """Requests answered in turn (and each connection closed, as Django does for an unthreaded server): the test
    database may be one SQLite connection that threads cannot share at once. Alertmanager queues and retries."""

    def __init__(self, *args: Any, connections_override: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.connections_override = connections_override or {}

    def process_request(self, request: Any, client_address: Any) -> None:
        for alias, connection in self.connections_override.items():
            connections[alias] = connection
        super().process_request(request, client_address)


class SerialServerThread(LiveServerThread):
    server_class = OneAtATime


@pytest.fixture
def serial_server(transactional_db: None) -> Iterator[str]:
    shared = {c.alias: c for c in connections.all() if c.vendor == "sqlite" and c.is_in_memory_db()}
    for connection in shared.values():
        connection.inc_thread_sharing()
    thread = SerialServerThread("127.0.0.1", lambda app: app, connections_override=shared, port=0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://127.0.0.1:{thread.port}"
    thread.terminate()
    for connection in shared.values():
        connection.dec_thread_sharing()


def groups(server: str, token: str) -> list[dict[str, Any]]:
    """Read through the server, so the test never touches the database while the server is using it."""
    request = urllib.request.Request(f"{server}/api/v1/alert-groups", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def wait_for(condition: Callable[[], bool], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError("timed out waiting")


def config(webhook: str, pagerduty_url: str, routing_key: str, capture: str) -> dict[str, object]:
    timing = {"group_wait": "1s", "group_interval": "1s", "repeat_interval": "2s"}
    return {
        "route": {
            "receiver": "watchkeeper-webhook",
            "group_by": ["alertname"],
            **timing,
            "routes": [
                {"receiver": "watchkeeper-webhook", "continue": True},
                {"receiver": "watchkeeper-pagerduty", "continue": True},
                {"receiver": "capture"},
            ],
        },
        "receivers": [
            {"name": "watchkeeper-webhook", "webhook_configs": [{"url": webhook, "send_resolved": True}]},
            {
                "name": "watchkeeper-pagerduty",
                "pagerduty_configs": [{"routing_key": routing_key, "url": pagerduty_url, "send_resolved": True}],
            },
            {
                "name": "capture",
                "webhook_configs": [{"url": capture + "/webhook", "send_resolved": True}],
                "pagerduty_configs": [
                    {"routing_key": routing_key, "url": capture + "/v2/enqueue", "send_resolved": True}
                ],
            },
        ],
    }


def replay(url: str, body: bytes) -> int:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def pages(found: list[dict[str, Any]]) -> set[int]:
    return {page for group in found for page in group["pages"]}


def test_alertmanager_pair_pages_once_resolves_and_replays_add_nothing(serial_server: str) -> None:
    app_server = serial_server
    make_user("carol")
    make_user("reader", "viewer")
    token = create_token("reader")
    policy = make_policy([{"targets": [{"user": "carol"}]}])
    webhook, webhook_key = make_integration(kind="alertmanager", policy=policy, name="Prometheus webhook")
    pagerduty, routing_key = make_integration(kind="pagerduty", policy=policy, name="Prometheus PagerDuty")
    capture = FakeServer()
    settings = config(
        f"{app_server}/alerts/alertmanager/{webhook_key}", f"{app_server}/v2/enqueue", routing_key, capture.url
    )
    # Two Alertmanagers with the same config and no cluster between them: an HA pair that sends everything twice.
    pair = [Alertmanager(settings), Alertmanager(settings)]
    try:
        alert = {
            "labels": {"alertname": "DiskFull", "severity": "critical", "instance": "db-1"},
            "annotations": {"summary": "Disk full on db-1"},
            "generatorURL": "http://prometheus.local/graph?g0.expr=disk",
        }
        for manager in pair:
            manager.post_alerts([alert])
        wait_for(lambda: {g["integration"] for g in groups(app_server, token)} == {webhook.pk, pagerduty.pk})
        wait_for(lambda: len(capture.requests) >= 8)  # both managers have repeated themselves a few times
        found = groups(app_server, token)
        assert len(found) == 2, "one group per integration, whatever the pair repeated"
        assert all(len(group["pages"]) == 1 and len(group["alerts"]) == 1 for group in found)
        assert len(pages(found)) == 2, "one page per integration"
        by_webhook = next(group for group in found if group["integration"] == webhook.pk)
        assert by_webhook["title"] == "Disk full on db-1"
        assert by_webhook["alerts"][0]["labels"]["instance"] == "db-1"

        firing_webhook = next(r.body for r in capture.requests if r.path == "/webhook")
        firing_pd = next(r.body for r in capture.requests if r.path == "/v2/enqueue")
        assert json.loads(firing_pd)["routing_key"] == routing_key
        for _ in range(100):
            assert replay(f"{app_server}/alerts/alertmanager/{webhook_key}", firing_webhook) == 202
            assert replay(f"{app_server}/v2/enqueue", firing_pd) == 202
        assert groups(app_server, token) == found, "100 replays: no new group, alert or page"

        for manager in pair:
            manager.post_alerts([{**alert, "startsAt": now_iso(), "endsAt": now_iso()}])
        wait_for(lambda: all(group["status"] == "resolved" for group in groups(app_server, token)))
        resolved = groups(app_server, token)
        assert all(a["status"] == "resolved" and a["ended_at"] for g in resolved for a in g["alerts"])
        assert pages(resolved) == pages(found)
    finally:
        for manager in pair:
            manager.close()
        capture.close()
    assert set(Page.objects.values_list("status", flat=True)) == {"resolved"}, "resolving the group resolved its page"
    assert Alert.objects.count() == 2 and AlertGroup.objects.count() == 2

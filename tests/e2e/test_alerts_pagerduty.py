"""PagerDuty Events API v2 conformance, written from PagerDuty's documentation, against a running Watchkeeper, and
PagerDuty's own Python client library pointed at it."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pagerduty
import pytest

from tests.factories import make_integration, make_policy, make_user
from tests.fakes.tls_proxy import TlsProxy
from watchkeeper.alerts.models import Alert, AlertGroup, Integration
from watchkeeper.oncall.models import Page

pytestmark = pytest.mark.django_db(transaction=True)


def send(url: str, body: object) -> tuple[int, dict[str, object], dict[str, str]]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method="POST", headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read()), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read()), dict(error.headers)


@pytest.fixture
def integration():
    make_user("carol")
    return make_integration(kind="pagerduty", policy=make_policy([{"targets": [{"user": "carol"}]}]))


def trigger(key: str, **fields: object) -> dict[str, object]:
    payload = {"summary": "Example alert on host1.example.com", "source": "monitoringtool:cloudvendor:central-region"}
    return {"routing_key": key, "event_action": "trigger", "payload": {**payload, "severity": "critical"}, **fields}


def test_events_v2_conformance(app_server, integration) -> None:
    record, key = integration
    url = f"{app_server}/v2/enqueue"

    status, body, _ = send(url, trigger(key, dedup_key="srv01/HTTP"))
    assert (status, body) == (202, {"status": "success", "message": "Event processed", "dedup_key": "srv01/HTTP"})

    status, body, _ = send(url, trigger(key))
    assert status == 202 and len(str(body["dedup_key"])) == 32, "a trigger without a key gets a generated one"

    missing = trigger(key)
    del missing["routing_key"]
    status, body, _ = send(url, missing)
    assert status == 400 and body["status"] == "invalid event" and "routing_key: is missing" in body["errors"]

    status, body, _ = send(url, {"routing_key": key, "event_action": "acknowledge", "dedup_key": "never-seen"})
    assert status == 202 and body["dedup_key"] == "never-seen", "an unknown key is accepted, then dropped"

    send(url, {"routing_key": key, "event_action": "resolve", "dedup_key": "srv01/HTTP"})
    status, body, _ = send(url, trigger(key, dedup_key="srv01/HTTP"))
    assert status == 202
    assert Alert.objects.filter(dedup_key="srv01/HTTP").count() == 2, "after a resolve the same key opens a new alert"
    assert AlertGroup.objects.filter(alerts__dedup_key="srv01/HTTP").distinct().count() == 2

    long_summary = trigger(key)
    long_summary["payload"]["summary"] = "s" * 1025  # type: ignore[index]
    status, body, _ = send(url, long_summary)
    assert status == 400 and any("payload.summary" in e and "1025" in e for e in body["errors"])  # type: ignore[union-attr]

    status, body, _ = send(url, trigger(key, dedup_key="d" * 256))
    assert status == 400 and any(e.startswith("dedup_key") for e in body["errors"])  # type: ignore[union-attr]
    assert send(url, trigger(key, dedup_key="d" * 255))[0] == 202

    big = trigger(key, dedup_key="big")
    big["payload"]["custom_details"] = {"blob": "x" * (512 * 1024)}  # type: ignore[index]
    status, body, _ = send(url, big)
    assert status == 413

    status, body, _ = send(url, {**trigger(key), "event_action": "snooze"})
    assert status == 400 and any("event_action" in e for e in body["errors"])  # type: ignore[union-attr]
    assert send(url, b"{oops")[0] == 400

    record = Integration.objects.get(pk=record.pk)
    # Counted on the integration wherever the body names its key: not the one without a routing_key or the bad JSON.
    assert record.dropped == 1 and record.refusals == 4
    assert not Alert.objects.filter(dedup_key__in=["big", "d" * 256]).exists(), "nothing refused is stored"
    pages = Page.objects.count()
    assert pages == AlertGroup.objects.count() == 4


def test_pagerdutys_own_python_client_can_page_watchkeeper(app_server, integration) -> None:
    _record, key = integration
    # The client accepts only https:// base URLs: TLS on 127.0.0.1 with a certificate made for the test.
    proxy = TlsProxy(str(app_server))
    client = pagerduty.EventsApiV2Client(key, base_url=proxy.url, verify=proxy.client_context())
    dedup_key = client.trigger("Disk full on db-1", "db-1", severity="error", custom_details={"free": "1%"})
    assert dedup_key and Alert.objects.get(dedup_key=dedup_key).severity == "error"
    assert client.trigger("Disk full on db-1", "db-1", dedup_key=dedup_key, severity="error") == dedup_key
    client.acknowledge(dedup_key)
    assert AlertGroup.objects.get().status == "acknowledged"
    client.resolve(dedup_key)
    assert AlertGroup.objects.get().status == "resolved" and Page.objects.count() == 1
    client.send_change_event(payload={"summary": "Deployed v1.2", "source": "ci", "timestamp": "2026-12-02T12:00:00Z"})
    with pytest.raises(pagerduty.Error):
        pagerduty.EventsApiV2Client("x" * 32, base_url=proxy.url, verify=proxy.client_context()).trigger("s", "src")
    proxy.close()

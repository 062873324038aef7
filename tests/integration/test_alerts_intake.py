"""Alerts in: integrations and their keys, the Alertmanager, Grafana, PagerDuty, generic and heartbeat endpoints,
grouping as specified, refusals counted and nothing stored."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.factories import make_incident, make_integration, make_service, make_user
from tests.fakes.worker import run_until
from watchkeeper.accounts.services import create_token
from watchkeeper.alerts.models import Alert, AlertGroup, History, Integration
from watchkeeper.alerts.services import integrations
from watchkeeper.incidents.models import TimelineEntry

pytestmark = pytest.mark.django_db


def auth(username: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {create_token(username)}"}


def am_alert(fingerprint: str, status: str = "firing", **labels: str) -> dict[str, object]:
    return {
        "status": status,
        "labels": {"alertname": "HighErrorRate", "severity": "critical", **labels},
        "annotations": {"summary": f"Errors high on {fingerprint}"},
        "startsAt": "2026-12-02T14:00:00.5Z",
        "endsAt": "2026-12-02T15:00:00Z" if status == "resolved" else "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus.local/graph",
        "fingerprint": fingerprint,
    }


def am_payload(group: str, *alerts: dict[str, object]) -> dict[str, object]:
    return {
        "version": "4",
        "groupKey": group,
        "status": "firing" if any(a["status"] == "firing" for a in alerts) else "resolved",
        "receiver": "watchkeeper",
        "groupLabels": {"alertname": "HighErrorRate"},
        "commonLabels": {},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager.local",
        "alerts": list(alerts),
    }


def post(client, path: str, body: object, **headers: str):
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post(path, data, content_type="application/json", **headers)


def test_integration_api_shows_the_key_once_and_stores_it_hashed(client) -> None:
    make_user("root", "admin")
    admin = auth("root")
    service = make_service("pay-api")
    response = post(
        client, "/api/v1/integrations", {"name": "Prom", "service": "pay-api", "kind": "alertmanager"}, **admin
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert re.fullmatch(r"[a-z0-9]{32}", body["key"])
    assert body["urls"]["alertmanager"].endswith(f"/alerts/alertmanager/{body['key']}")
    stored = Integration.objects.get(pk=body["id"])
    assert stored.service == service and body["key"] not in json.dumps(list(Integration.objects.values()), default=str)
    shown = client.get(f"/api/v1/integrations/{body['id']}", **admin).json()
    assert "key" not in shown and shown["key_hint"] == body["key"][:6]
    patched = client.patch(f"/api/v1/integrations/{body['id']}", {"name": "Prometheus"}, "application/json", **admin)
    assert patched.status_code == 200 and patched.json()["name"] == "Prometheus"
    routes = [{"matchers": {"severity": "critical"}, "priority": "P1", "auto_declare": True}]
    patched = client.patch(f"/api/v1/integrations/{body['id']}", {"routes": routes}, "application/json", **admin)
    assert patched.json()["routes"] == [{**routes[0], "page": True}]
    bad_route = client.patch(
        f"/api/v1/integrations/{body['id']}", {"routes": [{"priority": "P9"}]}, "application/json", **admin
    )
    assert bad_route.status_code == 422 and "routes[0].priority" in bad_route.json()["detail"]
    assert client.get(f"/api/v1/integrations/{body['id']}", **admin).json()["routes"][0]["priority"] == "P1"
    bad = post(client, "/api/v1/integrations", {"name": "X", "service": "pay-api", "kind": "carrier-pigeon"}, **admin)
    assert bad.status_code == 422 and "kind" in bad.json()["detail"]
    make_user("viewer1", "viewer")
    refused = post(
        client, "/api/v1/integrations", {"name": "X", "service": "pay-api", "kind": "generic"}, **auth("viewer1")
    )
    assert refused.status_code == 403
    assert client.delete(f"/api/v1/integrations/{body['id']}", **admin).status_code == 204
    assert Integration.objects.count() == 0


def test_a_rotated_key_keeps_working_for_the_overlap_then_is_refused_and_counted(client) -> None:
    integration, old = make_integration(kind="generic")
    with time_machine.travel(datetime(2026, 12, 2, 12, 0, tzinfo=UTC), tick=False) as clock:
        new = integrations.rotate_key(integration.created_by, integration, overlap=timedelta(hours=1))
        assert post(client, f"/alerts/generic/{old}", {"summary": "a"}).status_code == 202
        assert post(client, f"/alerts/generic/{new}", {"summary": "b"}).status_code == 202
        clock.shift(timedelta(hours=1, seconds=1))
        refused = post(client, f"/alerts/generic/{old}", {"summary": "c"})
        assert refused.status_code == 404 and "rotated" in refused.json()["errors"][0]
    integration.refresh_from_db()
    assert integration.refusals == 1 and Alert.objects.count() == 2


def test_alertmanager_groups_dedups_and_resolves(client) -> None:
    integration, key = make_integration()
    url = f"/alerts/alertmanager/{key}"
    first = am_payload("{}:{alertname='HighErrorRate'}", am_alert("a1"))
    response = post(client, url, first)
    assert response.status_code == 202 and response.json()["alerts"][0]["outcome"] == "new_group"
    for _ in range(5):  # an HA pair and repeat notifications send the same thing again
        assert post(client, url, first).json()["alerts"][0]["outcome"] == "no_change"
    both = am_payload("{}:{alertname='HighErrorRate'}", am_alert("a1"), am_alert("a2", instance="b"))
    assert [a["outcome"] for a in post(client, url, both).json()["alerts"]] == ["no_change", "joined_group"]
    assert AlertGroup.objects.count() == 1 and Alert.objects.count() == 2
    one_resolved = am_payload("{}:{alertname='HighErrorRate'}", am_alert("a1", "resolved"), am_alert("a2"))
    post(client, url, one_resolved)
    assert AlertGroup.objects.get().status == "firing", "a group resolves only when all its alerts do"
    post(
        client,
        url,
        am_payload("{}:{alertname='HighErrorRate'}", am_alert("a1", "resolved"), am_alert("a2", "resolved")),
    )
    group = AlertGroup.objects.get()
    assert group.status == "resolved" and group.resolved_at is not None
    assert Alert.objects.get(dedup_key="a1").ended_at == datetime(2026, 12, 2, 15, 0, tzinfo=UTC)
    again = post(client, url, first).json()["alerts"][0]
    assert again["outcome"] == "new_group" and again["group"] != group.pk, "a resolved group never absorbs new triggers"
    integration.refresh_from_db()
    assert integration.dropped == 0


def test_a_new_alert_in_an_acknowledged_group_is_told_to_the_acknowledger(client) -> None:
    _integration, key = make_integration()
    url = f"/alerts/alertmanager/{key}"
    post(client, url, am_payload("g", am_alert("a1")))
    responder = make_user("oncall1")
    ack = client.post(f"/api/v1/alert-groups/{AlertGroup.objects.get().pk}/ack", **auth("oncall1"))
    assert ack.status_code == 200 and ack.json()["status"] == "acknowledged"
    outcome = post(client, url, am_payload("g", am_alert("a1"), am_alert("dc2-down"))).json()["alerts"][1]["outcome"]
    assert outcome == "joined_acknowledged"
    told = History.objects.get(kind="acknowledger_told")
    assert "dc2-down" in told.text and AlertGroup.objects.get().acknowledged_by == responder


def test_bearer_key_on_the_bare_path_and_grafana_payloads(client) -> None:
    _integration, key = make_integration()
    grafana = {
        **am_payload('{}/{}:{alertname="DiskFull"}', am_alert("gf1")),
        "version": "1",
        "orgId": 1,
        "title": "[FIRING:1] DiskFull",
        "state": "alerting",
        "message": "Disk full",
    }
    assert post(client, "/alerts/alertmanager", grafana).status_code == 401
    assert post(client, "/alerts/alertmanager", grafana, HTTP_AUTHORIZATION="Bearer " + "x" * 32).status_code == 401
    response = post(client, "/alerts/alertmanager", grafana, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 202 and Alert.objects.get().dedup_key == "gf1"


@pytest.mark.parametrize(
    ("body", "status", "problem"),
    [
        (b"{not json", 400, "body: is not valid JSON"),
        ({"version": "4", "alerts": "many"}, 400, "alerts: must be a list"),
        (
            {"version": "4", "alerts": [{"status": "firing", "labels": {}, "fingerprint": "f" * 256}]},
            400,
            "fingerprint",
        ),
        (b"[" + b" " * (512 * 1024) + b"]", 413, "body: is over 512 KB"),
    ],
)
def test_bad_alertmanager_input_is_refused_named_counted_and_not_stored(client, body, status, problem) -> None:
    integration, key = make_integration()
    response = post(client, f"/alerts/alertmanager/{key}", body)
    assert response.status_code == status
    assert any(problem in error for error in response.json()["errors"])
    assert not Alert.objects.exists() and not AlertGroup.objects.exists()
    integration.refresh_from_db()
    assert integration.refusals == 1 and problem.split(":")[0] in integration.last_refusal
    assert post(client, "/alerts/alertmanager/" + "z" * 32, am_payload("g", am_alert("x"))).status_code == 404


def test_past_the_rate_limit_the_answer_is_429_with_retry_after(client, settings) -> None:
    settings.ALERTS_RATE_LIMIT_PER_MINUTE = 3
    integration, key = make_integration(kind="generic")
    with time_machine.travel(datetime(2026, 12, 2, 12, 0, 20, tzinfo=UTC), tick=False):
        codes = [post(client, f"/alerts/generic/{key}", {"summary": f"s{i}"}).status_code for i in range(5)]
        assert codes == [202, 202, 202, 429, 429]
        refused = post(client, f"/alerts/generic/{key}", {"summary": "late"})
        assert refused["Retry-After"] == "40"
    integration.refresh_from_db()
    assert integration.throttled == 3 and Alert.objects.count() == 3


def test_generic_alerts_and_label_routes(client) -> None:
    integration, key = make_integration(kind="generic")
    integrations.set_routes(
        integration.created_by, integration, [dict(matchers={"severity": "critical"}, priority="P1")]
    )
    response = post(client, f"/alerts/generic/{key}", {"summary": "Backups failed", "dedup_key": "backup"})
    assert response.status_code == 202
    assert AlertGroup.objects.get().suggested_priority == "P1"
    assert post(client, f"/alerts/generic/{key}", {"action": "resolve", "dedup_key": "backup"}).status_code == 202
    assert AlertGroup.objects.get().status == "resolved"
    refused = post(client, f"/alerts/generic/{key}", {"action": "explode"})
    assert refused.status_code == 400 and "action" in refused.json()["errors"][0]


# The real task worker runs here, and it closes its database connection between tasks: a transactional test survives.
@pytest.mark.django_db(transaction=True)
def test_a_missed_heartbeat_raises_an_alert_and_the_next_one_resolves_it(client) -> None:
    _integration, key = make_integration(kind="heartbeat", heartbeat_interval=timedelta(minutes=5))
    start = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        assert post(client, f"/alerts/heartbeat/{key}", {}).status_code == 202
        run_until(clock, start + timedelta(minutes=4))
        assert post(client, f"/alerts/heartbeat/{key}", {}).status_code == 202
        run_until(clock, start + timedelta(minutes=9))
        assert not Alert.objects.exists(), "beats on time: nothing missed"
        run_until(clock, start + timedelta(minutes=10))
        alert = Alert.objects.get()
        assert alert.status == "firing" and "Missed heartbeat" in alert.summary
        assert post(client, f"/alerts/heartbeat/{key}", {}).status_code == 202
        alert.refresh_from_db()
        assert alert.status == "resolved" and AlertGroup.objects.get().status == "resolved"
    _other, generic_key = make_integration(kind="generic")
    assert post(client, f"/alerts/heartbeat/{generic_key}", {}).status_code == 400


def test_declare_from_a_group_prefills_the_incident_and_keeps_its_alerts(client) -> None:
    integration, key = make_integration(service=make_service("pay-api"))
    integrations.set_routes(
        integration.created_by, integration, [dict(matchers={"severity": "critical"}, priority="P2")]
    )
    post(client, f"/alerts/alertmanager/{key}", am_payload("g", am_alert("a1")))
    group = AlertGroup.objects.get()
    make_user("lead1")
    headers = auth("lead1")
    listed = client.get(f"/api/v1/alert-groups?integration={integration.pk}&status=firing", **headers).json()
    assert listed == [
        {
            "id": group.pk,
            "integration": integration.pk,
            "status": "firing",
            "title": "Errors high on a1",
            "alerts": [
                {
                    "dedup_key": "a1",
                    "status": "firing",
                    "labels": {"alertname": "HighErrorRate", "severity": "critical"},
                    "started_at": "2026-12-02T14:00:00.500Z",
                    "ended_at": None,
                }
            ],
            "pages": [],
            "incident": None,
        }
    ]
    declared = client.post(f"/api/v1/alert-groups/{group.pk}/declare", **headers)
    assert declared.status_code == 201, declared.content
    reference = declared.json()["incident"]
    group.refresh_from_db()
    incident = group.incident
    assert incident.reference == reference and incident.service.slug == "pay-api" and incident.priority == "P2"
    assert incident.reported_at == datetime(2026, 12, 2, 14, 0, 0, 500000, tzinfo=UTC), "first noticed = startsAt"
    assert incident.title == "Errors high on a1"
    post(client, f"/alerts/alertmanager/{key}", am_payload("g", am_alert("a1", "resolved")))
    notes = list(TimelineEntry.objects.filter(incident=incident, kind="note").values_list("text", flat=True))
    assert "Alert firing: Errors high on a1" in notes and "Alert resolved: Errors high on a1" in notes
    incident.refresh_from_db()
    assert incident.status == "investigating", "alert resolution is noted, never resolves the incident"
    again = client.post(f"/api/v1/alert-groups/{group.pk}/declare", **headers)
    assert again.status_code == 422


def test_change_events_go_onto_open_incidents_on_the_service(client) -> None:
    service = make_service("pay-api")
    _integration, key = make_integration(service=service, kind="pagerduty")
    incident = make_incident(service=service)
    body = {
        "routing_key": key,
        "payload": {"summary": "Deployed v2.3.1", "timestamp": "2026-12-02T12:00:00Z", "source": "ci"},
        "links": [{"href": "https://ci.example/run/9", "text": "Run"}],
    }
    response = post(client, "/v2/change/enqueue", body)
    assert response.status_code == 202 and response.json()["status"] == "success"
    entry = TimelineEntry.objects.filter(incident=incident, kind="note").last()
    assert "Deployed v2.3.1" in entry.text and "https://ci.example/run/9" in entry.text
    assert post(client, "/v2/change/enqueue", {"routing_key": key, "payload": {}}).status_code == 400


def test_a_label_route_may_declare_the_incident_automatically(client) -> None:
    integration, key = make_integration(kind="generic", service=make_service("pay-api"))
    integrations.set_routes(
        integration.created_by,
        integration,
        [{"matchers": {"severity": "critical"}, "priority": "P1", "auto_declare": True}],
    )
    post(client, f"/alerts/generic/{key}", {"summary": "Payments down", "dedup_key": "pay"})
    incident = AlertGroup.objects.get().incident
    assert incident is not None and incident.priority == "P1" and incident.title == "Payments down"
    assert incident.declared_by == integration.created_by


def test_an_id_out_of_range_is_a_422_not_a_server_error(client) -> None:
    # Found by the API fuzz run: an integer past what the database holds reached the query and gave a 500.
    make_user("oncall1")
    headers = auth("oncall1")
    for path in (
        "/api/v1/alert-groups?integration=-457533700629275344896",
        "/api/v1/alert-groups/99999999999999999999999",
        "/api/v1/pages/99999999999999999999999",
    ):
        answer = client.get(path, **headers)
        assert answer.status_code == 422, (path, answer.content)

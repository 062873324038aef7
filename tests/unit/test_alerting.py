"""The grouping and dedup rules, and the parsers for each intake format, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from watchkeeper.domain.alert_payloads import (
    PayloadError,
    parse_alertmanager,
    parse_cloudwatch,
    parse_generic,
    parse_pagerduty,
)
from watchkeeper.domain.alerting import (
    Action,
    AlertEvent,
    AlertStatus,
    GroupingRule,
    LabelRoute,
    OpenAlert,
    OpenGroup,
    Outcome,
    decide,
    group_key,
    heartbeat_deadline,
    heartbeat_missed,
    is_storm,
    rate_window,
    retry_after,
    route_for,
)

KEY = "a" * 32
T0 = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)


def trigger(key: str = "k", **fields: object) -> AlertEvent:
    return AlertEvent(Action.TRIGGER, key, summary=str(fields.pop("summary", "disk full")), **fields)  # type: ignore[arg-type]


def test_identical_resend_is_no_change_and_a_changed_one_only_updates() -> None:
    event = trigger()
    alert = OpenAlert(AlertStatus.FIRING, event.content_hash(), 0)
    assert decide(trigger(), alert, OpenGroup(AlertStatus.FIRING)) is Outcome.NO_CHANGE
    assert decide(trigger(summary="disk 99% full"), alert, OpenGroup(AlertStatus.FIRING)) is Outcome.UPDATED


def test_new_alerts_open_or_join_groups_and_an_acknowledged_group_tells_its_acknowledger() -> None:
    assert decide(trigger(), None, None) is Outcome.NEW_GROUP
    assert decide(trigger(), None, OpenGroup(AlertStatus.FIRING)) is Outcome.JOINED_GROUP
    assert decide(trigger(), None, OpenGroup(AlertStatus.ACKNOWLEDGED)) is Outcome.JOINED_ACKNOWLEDGED


def test_resolve_and_acknowledge() -> None:
    resolve = AlertEvent(Action.RESOLVE, "k")
    ack = AlertEvent(Action.ACKNOWLEDGE, "k")
    firing = OpenAlert(AlertStatus.FIRING, "h", 0)
    assert decide(resolve, firing, None) is Outcome.RESOLVED_GROUP
    assert decide(resolve, OpenAlert(AlertStatus.FIRING, "h", 2), None) is Outcome.RESOLVED_ALERT
    assert decide(ack, firing, None) is Outcome.ACKNOWLEDGED
    assert decide(ack, OpenAlert(AlertStatus.ACKNOWLEDGED, "h", 0), None) is Outcome.NO_CHANGE
    assert decide(resolve, None, None) is Outcome.DROPPED, "an unknown key is dropped and counted"
    assert decide(ack, None, None) is Outcome.DROPPED
    assert decide(resolve, None, None, ever_seen=True) is Outcome.NO_CHANGE, "a late duplicate resolve"


def test_group_keys_follow_the_sender_then_the_integration_rule() -> None:
    event = trigger(labels={"alertname": "Disk", "cluster": "eu", "pod": "a"})
    assert group_key(AlertEvent(Action.TRIGGER, "k", group_key="{}:{x}"), "k", GroupingRule.SINGLE) == "{}:{x}"
    assert group_key(event, "k", GroupingRule.DEDUP_KEY) == "dedup:k"
    assert group_key(event, "k", GroupingRule.SINGLE) == "single"
    other_pod = trigger("k2", labels={"alertname": "Disk", "cluster": "eu", "pod": "b"})
    by_labels = [
        group_key(e, e.dedup_key or "", GroupingRule.LABELS, ["alertname", "cluster"]) for e in (event, other_pod)
    ]
    assert by_labels[0] == by_labels[1]


def test_label_routes_match_in_order_and_severity_matches_the_event() -> None:
    routes = [
        LabelRoute({"team": "db", "severity": "critical"}, priority="P1", auto_declare=True),
        LabelRoute({"severity": "info"}, page=False),
        LabelRoute({}, priority="P3"),
    ]
    assert route_for(routes, trigger(severity="critical", labels={"team": "db"})) == routes[0]
    assert route_for(routes, trigger(severity="info")) == routes[1]
    assert route_for(routes, trigger(severity="critical")) == routes[2]
    assert route_for(routes[:2], trigger(severity="warning")) is None


def test_storms_windows_and_heartbeats() -> None:
    assert not is_storm(10, 10) and is_storm(11, 10)
    start = rate_window(T0 + timedelta(seconds=42), 60)
    assert start == T0
    assert retry_after(5, 5, T0 + timedelta(seconds=42), start, 60) is None
    assert retry_after(6, 5, T0 + timedelta(seconds=42), start, 60) == 18
    deadline = heartbeat_deadline(T0, timedelta(minutes=5), timedelta(seconds=30))
    assert deadline == T0 + timedelta(minutes=5, seconds=30)
    assert heartbeat_missed(T0, T0, deadline, deadline)
    assert not heartbeat_missed(T0 + timedelta(minutes=4), T0, deadline, deadline), "a later beat came"


def alertmanager(status: str = "firing", **alert: object) -> dict[str, object]:
    return {
        "version": "4",
        "groupKey": '{}:{alertname="Disk"}',
        "status": status,
        "receiver": "watchkeeper",
        "externalURL": "http://alertmanager:9093",
        "alerts": [
            {
                "status": status,
                "labels": {"alertname": "Disk", "severity": "page"},
                "annotations": {"summary": "Disk full on db-1"},
                "startsAt": "2026-12-02T14:59:01.123456789Z",
                "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": "http://prometheus/graph?g0.expr=up",
                "fingerprint": "c0ffee",
                **alert,
            }
        ],
    }


def test_alertmanager_and_grafana_payloads() -> None:
    [event] = parse_alertmanager(alertmanager())
    assert event.action is Action.TRIGGER and event.dedup_key == "c0ffee"
    assert event.group_key == '{}:{alertname="Disk"}' and event.severity == "critical"
    assert event.started_at == datetime(2026, 12, 2, 14, 59, 1, 123456, tzinfo=UTC) and event.ended_at is None
    assert event.links[0].href.startswith("http://prometheus")
    [resolved] = parse_alertmanager(alertmanager("resolved", endsAt="2026-12-02T15:10:00Z"))
    assert resolved.action is Action.RESOLVE and resolved.ended_at == datetime(2026, 12, 2, 15, 10, tzinfo=UTC)
    grafana = {**alertmanager(), "version": "1", "orgId": 1, "title": "[FIRING:1] Disk", "state": "alerting"}
    assert parse_alertmanager(grafana)[0].dedup_key == "c0ffee"
    with pytest.raises(PayloadError) as refused:
        parse_alertmanager({"version": "4", "alerts": [{"status": "burning", "labels": {}}]})
    assert refused.value.errors == ["alerts[0].status: 'burning' is not firing or resolved"]


def pd(**fields: object) -> dict[str, object]:
    body: dict[str, object] = {
        "routing_key": KEY,
        "event_action": "trigger",
        "payload": {"summary": "CPU high", "source": "web-1", "severity": "error"},
    }
    return {**body, **fields}


def test_pagerduty_events_are_checked_as_pagerduty_documents_them() -> None:
    key, event = parse_pagerduty(pd(dedup_key="x", links=[{"href": "https://grafana/d/1", "text": "Dashboard"}]))
    assert key == KEY and event.severity == "error" and event.links[0].text == "Dashboard"
    assert parse_pagerduty(pd())[1].dedup_key is None, "a trigger without a key gets one generated"
    cases = {
        "routing_key: is missing": {"routing_key": None},
        "event_action: 'explode' is not trigger, acknowledge or resolve": {"event_action": "explode"},
        "dedup_key: is needed to resolve": {"event_action": "resolve"},
        "dedup_key: is 256 characters long; at most 255 are allowed": {"dedup_key": "d" * 256},
        "payload.summary: is 1025 characters long; at most 1024 are allowed": {
            "payload": {"summary": "s" * 1025, "source": "x", "severity": "info"}
        },
        "payload.severity: 'bad' is not critical, error, warning or info": {
            "payload": {"summary": "s", "source": "x", "severity": "bad"}
        },
    }
    for message, change in cases.items():
        with pytest.raises(PayloadError) as refused:
            parse_pagerduty(pd(**change))
        assert message in refused.value.errors
    assert parse_pagerduty(pd(dedup_key="d" * 255))[1].dedup_key == "d" * 255


def test_generic_and_cloudwatch() -> None:
    assert parse_generic({"summary": "backup failed", "dedup_key": "b"}).action is Action.TRIGGER
    assert parse_generic({"action": "resolve", "dedup_key": "b"}).action is Action.RESOLVE
    with pytest.raises(PayloadError, match="summary: is missing"):
        parse_generic({"details": "x"})
    alarm = {"AlarmName": "5xx", "AlarmArn": "arn:aws:cloudwatch:eu-west-2:1:alarm:5xx", "NewStateValue": "ALARM"}
    event = parse_cloudwatch(alarm)
    assert event is not None and event.action is Action.TRIGGER and event.dedup_key == alarm["AlarmArn"]
    ok = parse_cloudwatch({**alarm, "NewStateValue": "OK"})
    assert ok is not None and ok.action is Action.RESOLVE
    assert parse_cloudwatch({**alarm, "NewStateValue": "INSUFFICIENT_DATA"}) is None

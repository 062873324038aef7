"""Reading the alert formats other tools already send into ``AlertEvent``s, refusing what is malformed.

Alertmanager webhook (version 4), Grafana's webhook contact point (version 1), PagerDuty Events API v2, CloudWatch
alarms (the SNS message inside), and a plain generic format for scripts. Each parser names every problem it finds, so
the sender learns which field to fix; none of them reads the clock or the database.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from watchkeeper.domain.alerting import SEVERITIES, Action, AlertEvent, Link

KEY_LENGTH = 32
SUMMARY_MAX = 1024
DEDUP_KEY_MAX = 255
PAYLOAD_MAX_BYTES = 512 * 1024
# Alertmanager writes the zero time for "no end yet".
_ZERO_TIME = "0001-01-01T00:00:00Z"
_FRACTION = re.compile(r"(\.\d{6})\d+")


class PayloadError(ValueError):
    """Every problem with one request body, each as "field: what is wrong"."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("; ".join(errors))


def parse_time(text: Any, name: str, errors: list[str]) -> datetime | None:
    if text in (None, "", _ZERO_TIME):
        return None
    if not isinstance(text, str):
        errors.append(f"{name}: give an ISO 8601 time with an offset")
        return None
    # Go writes nanoseconds; Python reads at most microseconds.
    try:
        parsed = datetime.fromisoformat(_FRACTION.sub(r"\1", text.strip()))
    except ValueError:
        errors.append(f"{name}: {text[:40]!r} is not an ISO 8601 time")
        return None
    if parsed.tzinfo is None:
        errors.append(f"{name}: give the time with a UTC offset")
        return None
    if parsed.year <= 1:
        return None
    return parsed


def _strings(value: Any, name: str, errors: list[str]) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        errors.append(f"{name}: must be an object of names to strings")
        return {}
    return {str(k): v if isinstance(v, str) else str(v) for k, v in value.items()}


def _check_dedup_key(key: Any, name: str, errors: list[str]) -> str | None:
    if key is None or key == "":
        return None
    if not isinstance(key, str):
        errors.append(f"{name}: must be a string")
        return None
    if len(key) > DEDUP_KEY_MAX:
        errors.append(f"{name}: is {len(key)} characters long; at most {DEDUP_KEY_MAX} are allowed")
        return None
    return key


def _summary(text: str, name: str, errors: list[str]) -> str:
    if len(text) > SUMMARY_MAX:
        errors.append(f"{name}: is {len(text)} characters long; at most {SUMMARY_MAX} are allowed")
    return text


# --- Alertmanager and Grafana ----------------------------------------------------------------------------------


def parse_alertmanager(body: Any) -> list[AlertEvent]:
    """Alertmanager version 4 and Grafana version 1: both send groupKey, status and alerts[]."""
    if not isinstance(body, dict):
        raise PayloadError(["body: must be a JSON object"])
    errors: list[str] = []
    version = str(body.get("version", ""))
    if version not in {"4", "1"}:
        errors.append(f"version: {version!r} is not Alertmanager's webhook version 4 or Grafana's version 1")
    alerts = body.get("alerts")
    if not isinstance(alerts, list):
        raise PayloadError([*errors, "alerts: must be a list"])
    group = body.get("groupKey") or None
    if group is not None and not isinstance(group, str):
        errors.append("groupKey: must be a string")
    common = _strings(body.get("commonAnnotations"), "commonAnnotations", errors)
    events = [_alertmanager_alert(alert, f"alerts[{i}]", group, common, body, errors) for i, alert in enumerate(alerts)]
    if errors:
        raise PayloadError(errors)
    return events


def _alertmanager_alert(
    alert: Any, where: str, group: str | None, common: Mapping[str, str], body: Mapping[str, Any], errors: list[str]
) -> AlertEvent:
    if not isinstance(alert, dict):
        errors.append(f"{where}: must be an object")
        return AlertEvent(Action.TRIGGER, None)
    status = alert.get("status")
    if status not in {"firing", "resolved"}:
        errors.append(f"{where}.status: {status!r} is not firing or resolved")
    labels = _strings(alert.get("labels"), f"{where}.labels", errors)
    annotations = _strings(alert.get("annotations"), f"{where}.annotations", errors)
    fingerprint = alert.get("fingerprint") or _fingerprint(labels)
    key = _check_dedup_key(fingerprint, f"{where}.fingerprint", errors)
    summary = (
        annotations.get("summary")
        or common.get("summary")
        or (body.get("title") if isinstance(body.get("title"), str) else "")
        or labels.get("alertname", "")
        or "Alert"
    )
    links = tuple(
        Link(href=str(alert[name]), text=text)
        for name, text in (("generatorURL", "Source"), ("dashboardURL", "Dashboard"), ("panelURL", "Panel"))
        if isinstance(alert.get(name), str) and alert[name]
    )
    return AlertEvent(
        action=Action.RESOLVE if status == "resolved" else Action.TRIGGER,
        dedup_key=key,
        summary=_summary(summary, f"{where}.annotations.summary", errors),
        group_key=group,
        severity=_severity(labels.get("severity", "critical")),
        labels=labels,
        annotations=annotations,
        links=links,
        source=str(body.get("externalURL") or body.get("receiver") or ""),
        started_at=parse_time(alert.get("startsAt"), f"{where}.startsAt", errors),
        ended_at=parse_time(alert.get("endsAt"), f"{where}.endsAt", errors) if status == "resolved" else None,
    )


def _fingerprint(labels: Mapping[str, str]) -> str:
    """A stable key from the label set, for senders that leave the fingerprint out."""
    text = "\xff".join(f"{k}\xfe{v}" for k, v in sorted(labels.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _severity(text: str) -> str:
    """Prometheus rules use many words for severity; the four PagerDuty levels are what routes match on."""
    value = text.strip().lower()
    aliases = {"page": "critical", "high": "error", "major": "error", "minor": "warning", "low": "info", "none": "info"}
    value = aliases.get(value, value)
    return value if value in SEVERITIES else "warning"


# --- PagerDuty Events API v2 -----------------------------------------------------------------------------------


def parse_pagerduty(body: Any) -> tuple[str, AlertEvent]:
    """The routing key and the event; every problem is listed, as PagerDuty's own 400 does."""
    if not isinstance(body, dict):
        raise PayloadError(["body: must be a JSON object"])
    errors: list[str] = []
    routing_key = body.get("routing_key")
    if not isinstance(routing_key, str) or not routing_key:
        errors.append("routing_key: is missing")
    elif len(routing_key) != KEY_LENGTH:
        errors.append(f"routing_key: must be {KEY_LENGTH} characters long, not {len(routing_key)}")
    action_text = body.get("event_action")
    try:
        action = Action(action_text if isinstance(action_text, str) else "")
    except ValueError:
        errors.append(f"event_action: {action_text!r} is not trigger, acknowledge or resolve")
        action = Action.TRIGGER
    dedup_key = _check_dedup_key(body.get("dedup_key"), "dedup_key", errors)
    if action is not Action.TRIGGER and dedup_key is None and not any(e.startswith("dedup_key") for e in errors):
        errors.append(f"dedup_key: is needed to {action.value}")
    event = AlertEvent(action, dedup_key, links=_pd_links(body, errors))
    if action is Action.TRIGGER:
        event = _pd_trigger(body, dedup_key, event.links, errors)
    if errors:
        raise PayloadError(errors)
    return str(routing_key), event


def _pd_trigger(
    body: Mapping[str, Any], dedup_key: str | None, links: tuple[Link, ...], errors: list[str]
) -> AlertEvent:
    payload = body.get("payload")
    if not isinstance(payload, dict):
        errors.append("payload: is missing")
        return AlertEvent(Action.TRIGGER, dedup_key)
    summary = payload.get("summary")
    if not isinstance(summary, str) or not summary.strip():
        errors.append("payload.summary: is missing")
        summary = ""
    source = payload.get("source")
    if not isinstance(source, str) or not source.strip():
        errors.append("payload.source: is missing")
        source = ""
    severity = payload.get("severity")
    if severity not in SEVERITIES:
        errors.append(f"payload.severity: {severity!r} is not critical, error, warning or info")
    details = payload.get("custom_details")
    labels = {
        name: str(payload[name]) for name in ("component", "group", "class") if isinstance(payload.get(name), str)
    }
    return AlertEvent(
        action=Action.TRIGGER,
        dedup_key=dedup_key,
        summary=_summary(summary, "payload.summary", errors),
        severity=str(severity) if severity in SEVERITIES else "critical",
        labels={"source": source, **labels, "severity": str(severity)},
        links=links,
        source=source,
        started_at=parse_time(payload.get("timestamp"), "payload.timestamp", errors),
        details=details if isinstance(details, dict) else ({"details": details} if details is not None else {}),
    )


def _pd_links(body: Mapping[str, Any], errors: list[str]) -> tuple[Link, ...]:
    found: list[Link] = []
    for name, target in (("links", "href"), ("images", "src")):
        items = body.get(name) or []
        if not isinstance(items, list):
            errors.append(f"{name}: must be a list")
            continue
        for i, item in enumerate(items):
            if not isinstance(item, dict) or not isinstance(item.get(target), str):
                errors.append(f"{name}[{i}].{target}: is missing")
                continue
            found.append(Link(href=item[target], text=str(item.get("text") or item.get("alt") or "")))
    return tuple(found)


def parse_change_event(body: Any) -> tuple[str, str, tuple[Link, ...], dict[str, Any]]:
    """A PagerDuty change event: routing key, summary, links and custom details."""
    if not isinstance(body, dict):
        raise PayloadError(["body: must be a JSON object"])
    errors: list[str] = []
    routing_key = body.get("routing_key")
    if not isinstance(routing_key, str) or len(routing_key) != KEY_LENGTH:
        errors.append("routing_key: is missing" if not routing_key else f"routing_key: must be {KEY_LENGTH} characters")
    payload = body.get("payload")
    payload = payload if isinstance(payload, dict) else {}
    summary = payload.get("summary")
    if not isinstance(summary, str) or not summary.strip():
        errors.append("payload.summary: is missing")
        summary = ""
    _summary(summary, "payload.summary", errors)
    parse_time(payload.get("timestamp"), "payload.timestamp", errors)
    links = _pd_links(body, errors)
    details = payload.get("custom_details")
    if errors:
        raise PayloadError(errors)
    return str(routing_key), summary, links, details if isinstance(details, dict) else {}


# --- Generic and CloudWatch ------------------------------------------------------------------------------------


def parse_generic(body: Any) -> AlertEvent:
    if not isinstance(body, dict):
        raise PayloadError(["body: must be a JSON object"])
    errors: list[str] = []
    action_text = body.get("action", "trigger")
    if action_text not in {"trigger", "resolve"}:
        errors.append(f"action: {action_text!r} is not trigger or resolve")
    summary = body.get("summary")
    if action_text == "trigger" and (not isinstance(summary, str) or not summary.strip()):
        errors.append("summary: is missing")
    dedup_key = _check_dedup_key(body.get("dedup_key"), "dedup_key", errors)
    if action_text == "resolve" and dedup_key is None and not errors:
        errors.append("dedup_key: is needed to resolve")
    details = body.get("details")
    text = summary if isinstance(summary, str) else ""
    event = AlertEvent(
        action=Action.RESOLVE if action_text == "resolve" else Action.TRIGGER,
        dedup_key=dedup_key,
        summary=_summary(text, "summary", errors),
        details=details if isinstance(details, dict) else ({"details": details} if details else {}),
    )
    if errors:
        raise PayloadError(errors)
    return event


def parse_cloudwatch(message: Any) -> AlertEvent | None:
    """A CloudWatch alarm state change (the SNS Message, already decoded): ALARM triggers, OK resolves.

    INSUFFICIENT_DATA says nothing about the service, so it is no event at all (None).
    """
    if not isinstance(message, dict):
        raise PayloadError(["Message: is not a CloudWatch alarm (expected a JSON object)"])
    errors: list[str] = []
    arn = message.get("AlarmArn")
    if not isinstance(arn, str) or not arn:
        errors.append("Message.AlarmArn: is missing")
    state = message.get("NewStateValue")
    if state not in {"ALARM", "OK", "INSUFFICIENT_DATA"}:
        errors.append(f"Message.NewStateValue: {state!r} is not ALARM, OK or INSUFFICIENT_DATA")
    name = str(message.get("AlarmName") or arn or "CloudWatch alarm")
    changed = parse_time(message.get("StateChangeTime"), "Message.StateChangeTime", errors)
    key = _check_dedup_key(arn, "Message.AlarmArn", errors)
    if errors:
        raise PayloadError(errors)
    if state == "INSUFFICIENT_DATA":
        return None
    reason = str(message.get("NewStateReason") or "")
    return AlertEvent(
        action=Action.TRIGGER if state == "ALARM" else Action.RESOLVE,
        dedup_key=key,
        summary=name[:SUMMARY_MAX],
        labels={"alarm": name, "region": str(message.get("Region") or ""), "account": str(message.get("AWSAccountId"))},
        annotations={"description": str(message.get("AlarmDescription") or ""), "reason": reason},
        source="cloudwatch",
        started_at=changed if state == "ALARM" else None,
        ended_at=changed if state == "OK" else None,
    )

"""One batch of alert events from one integration, applied under a lock on the integration's row.

The lock makes an HA pair's duplicates, a sender's retries and concurrent deliveries take turns, so two copies of
one alert can never both open a group. Which change each event makes is the domain's decision (domain/alerting.py);
this module only carries it out.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from watchkeeper.alerts import paging
from watchkeeper.alerts.models import OPEN_VALUES, Alert, AlertGroup, History, Integration, LabelRoute
from watchkeeper.alerts.services import integrations
from watchkeeper.alerts.services.records import note_on_incident, record
from watchkeeper.domain import alerting
from watchkeeper.domain.alerting import Action, AlertEvent, AlertStatus, OpenAlert, OpenGroup, Outcome


@dataclass(frozen=True)
class Processed:
    dedup_key: str
    outcome: Outcome
    group_id: int | None


def ingest(integration: Integration, events: list[AlertEvent], now: datetime | None = None) -> list[Processed]:
    """Applies every event or none; raises Throttled (nothing stored) past the integration's rate limit."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            locked = Integration.objects.select_for_update().select_related("service").get(pk=integration.pk)
            integrations.count_request(locked, now)
            routes = [_route(route) for route in LabelRoute.objects.filter(integration=locked)]
            results = [_apply(locked, event, routes, now) for event in events]
            locked.save(update_fields=["window_start", "window_count", "dropped"])
    except integrations.Throttled:
        integrations.record_throttled(integration)
        raise
    return results


def _route(route: LabelRoute) -> alerting.LabelRoute:
    return alerting.LabelRoute(route.matchers, route.priority or None, route.page, route.auto_declare)


def digest(group_key: str) -> str:
    return hashlib.sha256(group_key.encode()).hexdigest()


def _apply(integration: Integration, event: AlertEvent, routes: list[alerting.LabelRoute], now: datetime) -> Processed:
    key = event.dedup_key or uuid.uuid4().hex
    alert = (
        Alert.objects.select_related("group")
        .filter(integration=integration, dedup_key=key, status__in=OPEN_VALUES)
        .first()
    )
    group: AlertGroup | None = alert.group if alert else None
    others = 0
    if alert is not None:
        others = Alert.objects.filter(group=alert.group, status__in=OPEN_VALUES).exclude(pk=alert.pk).count()
    elif event.action is Action.TRIGGER:
        rule = alerting.GroupingRule(integration.grouping)
        gkey = alerting.group_key(event, key, rule, integration.grouping_labels)
        group = AlertGroup.objects.filter(
            integration=integration, group_digest=digest(gkey), status__in=OPEN_VALUES
        ).first()
    ever_seen = (
        alert is None
        and event.action is not Action.TRIGGER
        and Alert.objects.filter(integration=integration, dedup_key=key).exists()
    )
    outcome = alerting.decide(
        event,
        OpenAlert(AlertStatus(alert.status), alert.content_hash, others) if alert else None,
        OpenGroup(AlertStatus(group.status)) if group else None,
        ever_seen=ever_seen,
    )
    group = _carry_out(outcome, integration, event, key, alert, group, routes, now)
    return Processed(key, outcome, group.pk if group else None)


def _carry_out(
    outcome: Outcome,
    integration: Integration,
    event: AlertEvent,
    key: str,
    alert: Alert | None,
    group: AlertGroup | None,
    routes: list[alerting.LabelRoute],
    now: datetime,
) -> AlertGroup | None:
    if outcome is Outcome.DROPPED:
        integration.dropped += 1
    elif outcome is Outcome.NEW_GROUP:
        group = _open_group(integration, event, key, routes, now)
    elif outcome in {Outcome.JOINED_GROUP, Outcome.JOINED_ACKNOWLEDGED} and group is not None:
        new = _new_alert(integration, group, event, key, now)
        if outcome is Outcome.JOINED_ACKNOWLEDGED:
            paging.tell_acknowledger(group, new)
    elif outcome is Outcome.UPDATED and alert is not None:
        _fill(alert, event, now)
        alert.save()
    elif outcome is Outcome.ACKNOWLEDGED and alert is not None and group is not None:
        _acknowledge_alert(alert, group, now)
    elif outcome in {Outcome.RESOLVED_ALERT, Outcome.RESOLVED_GROUP} and alert is not None and group is not None:
        _resolve_alert(alert, group, event, now, last=outcome is Outcome.RESOLVED_GROUP)
    return group


def _fill(alert: Alert, event: AlertEvent, now: datetime) -> None:
    alert.summary = event.summary or alert.summary or "Alert"
    alert.severity = event.severity
    alert.source = event.source[:500]
    alert.labels = dict(event.labels)
    alert.annotations = dict(event.annotations)
    alert.links = [{"href": link.href, "text": link.text} for link in event.links]
    alert.details = dict(event.details)
    alert.content_hash = event.content_hash()
    alert.updated_at = now


def _new_alert(integration: Integration, group: AlertGroup, event: AlertEvent, key: str, now: datetime) -> Alert:
    alert = Alert(integration=integration, group=group, dedup_key=key, started_at=event.started_at or now)
    _fill(alert, event, now)
    alert.save()
    record(group, "firing", f"Firing: {alert.summary}", alert=alert)
    note_on_incident(group, f"Alert firing: {alert.summary}", alert=alert)
    return alert


def _open_group(
    integration: Integration, event: AlertEvent, key: str, routes: list[alerting.LabelRoute], now: datetime
) -> AlertGroup:
    route = alerting.route_for(routes, event)
    gkey = alerting.group_key(event, key, alerting.GroupingRule(integration.grouping), integration.grouping_labels)
    group = AlertGroup.objects.create(
        integration=integration,
        group_key=gkey,
        group_digest=digest(gkey),
        title=(event.summary or "Alert")[:1024],
        suggested_priority=(route.priority or "") if route else "",
        opened_at=now,
    )
    _new_alert(integration, group, event, key, now)
    if route is not None and not route.page:
        record(group, "not_paged", "Not paged: a label route says this alert does not page")
    else:
        paging.page_new_group(group, now)
    if route is not None and route.auto_declare:
        from watchkeeper.alerts.services.groups import declare_automatically

        declare_automatically(group)
    return group


def _acknowledge_alert(alert: Alert, group: AlertGroup, now: datetime) -> None:
    alert.status = AlertStatus.ACKNOWLEDGED.value
    alert.updated_at = now
    alert.save(update_fields=["status", "updated_at"])
    record(group, "acknowledged", f"Acknowledged by the sender: {alert.summary}", alert=alert)
    if group.status == AlertStatus.FIRING.value:
        group.status = AlertStatus.ACKNOWLEDGED.value
        group.acknowledged_at = now
        group.save(update_fields=["status", "acknowledged_at"])


def _resolve_alert(alert: Alert, group: AlertGroup, event: AlertEvent, now: datetime, *, last: bool) -> None:
    alert.status = AlertStatus.RESOLVED.value
    alert.ended_at = event.ended_at or now
    alert.updated_at = now
    alert.save(update_fields=["status", "ended_at", "updated_at"])
    record(group, "resolved", f"Resolved: {alert.summary}", alert=alert)
    note_on_incident(group, f"Alert resolved: {alert.summary}", alert=alert)
    if last:
        close_group(group, now, reason="every alert in it resolved")


def close_group(group: AlertGroup, now: datetime, *, reason: str, actor: object = None) -> None:
    group.status = AlertStatus.RESOLVED.value
    group.resolved_at = now
    group.save(update_fields=["status", "resolved_at"])
    History.objects.create(group=group, at=now, kind="group_resolved", text=f"Group resolved: {reason}")
    paging.resolve_pages(group)
    # Noted on the incident, never resolving it: people decide when the incident is over.
    note_on_incident(group, f"Alert group resolved ({reason}): {group.title}")

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

from watchkeeper.alerts.models import OPEN_VALUES, Alert, AlertGroup, History, Integration, LabelRoute
from watchkeeper.alerts.services import integrations, paging
from watchkeeper.alerts.services.declaring import declare_automatically
from watchkeeper.alerts.services.records import note_on_incident, record
from watchkeeper.domain import alerting
from watchkeeper.domain.alerting import Action, AlertEvent, AlertStatus, OpenAlert, OpenGroup, Outcome


@dataclass(frozen=True)
class Processed:
    dedup_key: str
    outcome: Outcome
    group_id: int | None


class Batch:
    """The open alerts and groups one request's events can touch, read in two queries and kept current as the events
    are applied, so a notification of many alerts (or an identical resend) costs a handful of queries."""

    def __init__(self, integration: Integration, events: list[AlertEvent], now: datetime) -> None:
        self.integration, self.now = integration, now
        self.rule = alerting.GroupingRule(integration.grouping)
        keys = [event.dedup_key for event in events if event.dedup_key]
        self.alerts = {
            alert.dedup_key: alert
            for alert in Alert.objects.select_related("group")
            .filter(integration=integration, dedup_key__in=keys, status__in=OPEN_VALUES)
            .order_by()
        }
        digests = {
            digest(self.group_key(event, event.dedup_key))
            for event in events
            if event.action is Action.TRIGGER and event.dedup_key not in self.alerts
        }
        self.groups = {
            group.group_digest: group
            for group in AlertGroup.objects.filter(
                integration=integration, group_digest__in=[d for d in digests if d], status__in=OPEN_VALUES
            ).order_by()
        }
        for alert in self.alerts.values():  # one object per group row, so a change is seen by every alert in it
            alert.group = self.groups.setdefault(alert.group.group_digest, alert.group)
        self._routes: list[alerting.LabelRoute] | None = None

    def group_key(self, event: AlertEvent, key: str | None) -> str:
        return alerting.group_key(event, key or "", self.rule, self.integration.grouping_labels) if key else ""

    def routes(self) -> list[alerting.LabelRoute]:
        if self._routes is None:
            self._routes = [_route(route) for route in LabelRoute.objects.filter(integration=self.integration)]
        return self._routes


def ingest(integration: Integration, events: list[AlertEvent], now: datetime | None = None) -> list[Processed]:
    """Applies every event or none; raises Throttled (nothing stored) past the integration's rate limit."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            locked = integrations.lock_counters(integration)
            integrations.count_request(locked, now)
            batch = Batch(locked, events, now)
            results = [_apply(batch, event) for event in events]
            locked.save(update_fields=["window_start", "window_count", "dropped"])
    except integrations.Throttled:
        integrations.record_throttled(integration)
        raise
    return results


def _route(route: LabelRoute) -> alerting.LabelRoute:
    return alerting.LabelRoute(route.matchers, route.priority or None, route.page, route.auto_declare)


def digest(group_key: str) -> str:
    return hashlib.sha256(group_key.encode()).hexdigest() if group_key else ""


def _apply(batch: Batch, event: AlertEvent) -> Processed:
    integration = batch.integration
    key = event.dedup_key or uuid.uuid4().hex
    alert = batch.alerts.get(key)
    group: AlertGroup | None = alert.group if alert else None
    others = 0
    if alert is not None and event.action is Action.RESOLVE:
        others = Alert.objects.filter(group=alert.group, status__in=OPEN_VALUES).exclude(pk=alert.pk).count()
    elif alert is None and event.action is Action.TRIGGER:
        group = batch.groups.get(digest(batch.group_key(event, key)))
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
    group = _carry_out(outcome, batch, event, key, alert, group)
    return Processed(key, outcome, group.pk if group else None)


def _carry_out(
    outcome: Outcome, batch: Batch, event: AlertEvent, key: str, alert: Alert | None, group: AlertGroup | None
) -> AlertGroup | None:
    integration, now = batch.integration, batch.now
    if outcome is Outcome.DROPPED:
        integration.dropped += 1
    elif outcome is Outcome.NEW_GROUP:
        group = _open_group(batch, event, key)
    elif outcome in {Outcome.JOINED_GROUP, Outcome.JOINED_ACKNOWLEDGED} and group is not None:
        batch.alerts[key] = new = _new_alert(integration, group, event, key, now)
        if outcome is Outcome.JOINED_ACKNOWLEDGED:
            paging.tell_acknowledger(group, new)
    elif outcome is Outcome.UPDATED and alert is not None:
        _fill(alert, event, now)
        alert.save()
    elif outcome is Outcome.ACKNOWLEDGED and alert is not None and group is not None:
        _acknowledge_alert(alert, group, now)
    elif outcome in {Outcome.RESOLVED_ALERT, Outcome.RESOLVED_GROUP} and alert is not None and group is not None:
        del batch.alerts[key]
        _resolve_alert(alert, group, event, now, last=outcome is Outcome.RESOLVED_GROUP)
        if outcome is Outcome.RESOLVED_GROUP:
            batch.groups.pop(group.group_digest, None)
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


def _open_group(batch: Batch, event: AlertEvent, key: str) -> AlertGroup:
    integration, now = batch.integration, batch.now
    route = alerting.route_for(batch.routes(), event)
    gkey = batch.group_key(event, key)
    group = AlertGroup.objects.create(
        integration=integration,
        group_key=gkey,
        group_digest=digest(gkey),
        title=(event.summary or "Alert")[:1024],
        suggested_priority=(route.priority or "") if route else "",
        opened_at=now,
    )
    batch.groups[group.group_digest] = group
    batch.alerts[key] = _new_alert(integration, group, event, key, now)
    if route is not None and not route.page:
        record(group, "not_paged", "Not paged: a label route says this alert does not page")
    else:
        paging.page_new_group(group, now)
    if route is not None and route.auto_declare:
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

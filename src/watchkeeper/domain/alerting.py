"""Alert grouping and deduplication: what one incoming alert event does to the alerts and groups already open.

The rules, in the words of the issue: an alert is unique on (integration, dedup key) while it is open; an identical
resend is a no-op; a new alert in an acknowledged group notifies whoever acknowledged it; a resolved group never
absorbs new triggers; a group resolves when all its alerts resolve; after a resolve the same key opens a new alert.
Everything here is plain data in, a decision out, so the same rules hold for every intake format.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any


class Action(StrEnum):
    TRIGGER = "trigger"
    ACKNOWLEDGE = "acknowledge"
    RESOLVE = "resolve"


class AlertStatus(StrEnum):
    FIRING = "firing"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


OPEN = frozenset({AlertStatus.FIRING, AlertStatus.ACKNOWLEDGED})
SEVERITIES = ("critical", "error", "warning", "info")


@dataclass(frozen=True)
class Link:
    href: str
    text: str = ""


@dataclass(frozen=True)
class AlertEvent:
    """One alert's news, whatever format it came in. ``dedup_key`` None means "generate one" (a PagerDuty trigger)."""

    action: Action
    dedup_key: str | None
    summary: str = ""
    group_key: str | None = None
    severity: str = "critical"
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)
    links: tuple[Link, ...] = ()
    source: str = ""
    started_at: datetime | None = None
    ended_at: datetime | None = None
    details: Mapping[str, Any] = field(default_factory=dict)

    def content_hash(self) -> str:
        """Equal for an identical resend (an HA pair, a retry, a repeat notification) and only then."""
        content = {
            "action": self.action.value,
            "summary": self.summary,
            "severity": self.severity,
            "labels": dict(sorted(self.labels.items())),
            "annotations": dict(sorted(self.annotations.items())),
            "links": [[link.href, link.text] for link in self.links],
            "source": self.source,
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "details": self.details,
        }
        encoded = json.dumps(content, sort_keys=True, default=str, separators=(",", ":"))
        return hashlib.sha256(encoded.encode()).hexdigest()


class Outcome(StrEnum):
    NO_CHANGE = "no_change"  # an identical resend, or news about an alert already resolved
    UPDATED = "updated"  # the open alert's details changed; nobody is paged again
    NEW_GROUP = "new_group"  # a new alert in a new group: page the integration's policy
    JOINED_GROUP = "joined_group"  # a new alert in a firing group: the existing page covers it
    JOINED_ACKNOWLEDGED = "joined_acknowledged"  # a new alert in an acknowledged group: tell the acknowledger
    ACKNOWLEDGED = "acknowledged"
    RESOLVED_ALERT = "resolved_alert"  # the group still has other open alerts
    RESOLVED_GROUP = "resolved_group"  # the group's last open alert resolved
    DROPPED = "dropped"  # acknowledge or resolve for a key never seen: counted, not stored


@dataclass(frozen=True)
class OpenAlert:
    status: AlertStatus
    content_hash: str
    others_open_in_group: int


@dataclass(frozen=True)
class OpenGroup:
    status: AlertStatus


def decide(
    event: AlertEvent,
    alert: OpenAlert | None,
    group: OpenGroup | None,
    *,
    ever_seen: bool = False,
) -> Outcome:
    """What ``event`` does, given the open alert with its dedup key and the open group it would join.

    ``alert`` and ``group`` are only ever open ones: resolved alerts and groups are history and never absorb news.
    ``ever_seen`` says whether an alert with this key existed before (so a late duplicate resolve is no change, not
    an unknown key).
    """
    if event.action is Action.TRIGGER:
        if alert is not None:
            return Outcome.NO_CHANGE if alert.content_hash == event.content_hash() else Outcome.UPDATED
        if group is None:
            return Outcome.NEW_GROUP
        return Outcome.JOINED_ACKNOWLEDGED if group.status is AlertStatus.ACKNOWLEDGED else Outcome.JOINED_GROUP
    if alert is None:
        return Outcome.NO_CHANGE if ever_seen else Outcome.DROPPED
    if event.action is Action.ACKNOWLEDGE:
        return Outcome.NO_CHANGE if alert.status is AlertStatus.ACKNOWLEDGED else Outcome.ACKNOWLEDGED
    return Outcome.RESOLVED_ALERT if alert.others_open_in_group else Outcome.RESOLVED_GROUP


# --- Which group an alert joins --------------------------------------------------------------------------------


class GroupingRule(StrEnum):
    """How an integration groups alerts that carry no group key of their own (Alertmanager's groupKey wins)."""

    DEDUP_KEY = "dedup_key"  # each alert its own group, as PagerDuty does without intelligent grouping
    LABELS = "labels"  # alerts with the same values of the integration's grouping labels
    SINGLE = "single"  # every open alert of the integration in one group


def group_key(event: AlertEvent, dedup_key: str, rule: GroupingRule, labels: Sequence[str] = ()) -> str:
    if event.group_key:
        return event.group_key
    if rule is GroupingRule.SINGLE:
        return "single"
    if rule is GroupingRule.LABELS and labels:
        return "labels:" + json.dumps({name: event.labels.get(name, "") for name in labels}, sort_keys=True)
    return f"dedup:{dedup_key}"


# --- Label routes ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelRoute:
    """Matchers are label name to value; the name ``severity`` also matches the event's severity."""

    matchers: Mapping[str, str]
    priority: str | None = None
    page: bool = True
    auto_declare: bool = False


def matches(route: LabelRoute, event: AlertEvent) -> bool:
    for name, wanted in route.matchers.items():
        value = event.labels.get(name)
        if value is None and name == "severity":
            value = event.severity
        if value != wanted:
            return False
    return True


def route_for(routes: Sequence[LabelRoute], event: AlertEvent) -> LabelRoute | None:
    """The first route that matches, in the integration's order; None means page with no suggested priority."""
    return next((route for route in routes if matches(route, event)), None)


# --- Storms and rate limits ------------------------------------------------------------------------------------

STORM_WINDOW = timedelta(minutes=1)


def is_storm(groups_opened_in_last_minute: int, limit: int) -> bool:
    """More than ``limit`` new groups a minute on one integration: one page says so instead of a page each."""
    return groups_opened_in_last_minute > limit


def rate_window(now: datetime, seconds: int) -> datetime:
    """The start of the fixed window ``now`` falls in, so every process counts the same window."""
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=now.tzinfo)


def retry_after(count: int, limit: int, now: datetime, window_start: datetime, seconds: int) -> int | None:
    """Seconds until the window reopens once ``count`` requests in it exceed ``limit``; None while under it."""
    if count <= limit:
        return None
    left = (window_start + timedelta(seconds=seconds) - now).total_seconds()
    return max(1, int(left + 0.999))


# --- Heartbeats ------------------------------------------------------------------------------------------------


def heartbeat_deadline(last_beat: datetime, interval: timedelta, grace: timedelta) -> datetime:
    """When silence becomes a missed heartbeat: one interval plus a grace for a sender's jitter."""
    return last_beat + interval + grace


def heartbeat_missed(last_beat: datetime | None, checked_beat: datetime, now: datetime, deadline: datetime) -> bool:
    """The check scheduled after ``checked_beat`` fires: missed if no later beat came and the deadline passed."""
    return last_beat == checked_beat and now >= deadline

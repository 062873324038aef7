"""Incident events, published inside the transaction that made the change.

Other apps (notifications, status page, reviews) subscribe when they start; incidents never import
them. A subscriber that enqueues work does so in the same transaction, so the change and its
consequences commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

DECLARED = "incident.declared"
UPDATED = "incident.updated"
PRIORITY_CHANGED = "incident.priority_changed"
STATUS_CHANGED = "incident.status_changed"
ROLE_CHANGED = "incident.role_changed"
TYPE_CHANGED = "incident.type_changed"
RESOLVED = "incident.resolved"
REOPENED = "incident.reopened"
CLOSED = "incident.closed"


@dataclass(frozen=True)
class IncidentEvent:
    name: str
    incident_id: int
    actor_id: int | None
    data: dict[str, Any] = field(default_factory=dict)


Subscriber = Callable[[IncidentEvent], None]
_subscribers: list[Subscriber] = []

# A close guard raises ValidationError to keep an incident open (the reviews app: no review, no close).
CloseGuard = Callable[[Any], None]
_close_guards: list[CloseGuard] = []


def guard_close(guard: CloseGuard) -> CloseGuard:
    if guard not in _close_guards:
        _close_guards.append(guard)
    return guard


def check_close(incident: Any) -> None:
    for guard in list(_close_guards):
        guard(incident)


def subscribe(subscriber: Subscriber) -> Subscriber:
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)
    return subscriber


def publish(event: IncidentEvent) -> None:
    # Errors propagate on purpose: a subscriber that cannot record its work must roll the change back.
    for subscriber in list(_subscribers):
        subscriber(event)

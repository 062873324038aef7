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

# A guard raises ValidationError to stop a move: no review, no close (reviews); no containment, no
# resolution for a security incident (breaches).
Guard = Callable[[Any], None]
_close_guards: list[Guard] = []
_resolve_guards: list[Guard] = []


def guard_close(guard: Guard) -> Guard:
    if guard not in _close_guards:
        _close_guards.append(guard)
    return guard


def guard_resolve(guard: Guard) -> Guard:
    if guard not in _resolve_guards:
        _resolve_guards.append(guard)
    return guard


def check_close(incident: Any) -> None:
    for guard in list(_close_guards):
        guard(incident)


def check_resolve(incident: Any) -> None:
    for guard in list(_resolve_guards):
        guard(incident)


def subscribe(subscriber: Subscriber) -> Subscriber:
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)
    return subscriber


def publish(event: IncidentEvent) -> None:
    # Errors propagate on purpose: a subscriber that cannot record its work must roll the change back.
    for subscriber in list(_subscribers):
        subscriber(event)

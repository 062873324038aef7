"""Breach events (breach.reminder, breach.escalation) for the notifications app to route.

The same small publish/subscribe shape as incidents.events: subscribers run inside the publishing
transaction, so an alert and its record commit together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

REMINDER = "breach.reminder"
ESCALATION = "breach.escalation"


@dataclass(frozen=True)
class BreachEvent:
    name: str
    incident_id: int
    # Reminders go to the response team; escalations to the data protection contacts.
    data: dict[str, Any] = field(default_factory=dict)


Subscriber = Callable[[BreachEvent], None]
_subscribers: list[Subscriber] = []


def subscribe(subscriber: Subscriber) -> Subscriber:
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)
    return subscriber


def unsubscribe(subscriber: Subscriber) -> None:
    if subscriber in _subscribers:
        _subscribers.remove(subscriber)


def publish(event: BreachEvent) -> None:
    for subscriber in list(_subscribers):
        subscriber(event)

"""Which routes a change to an incident reaches: the GDS Way's rules as route filters, and how a filter matches.

A route is anything with the filter's fields (the notifications app's Route rows are), so the rules here are the
ones the app applies, tested without a database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, TypeVar

from watchkeeper.domain.event_names import (
    BREACH_ESCALATION,
    BREACH_REMINDER,
    CLOSED,
    DECLARED,
    PRIORITY_CHANGED,
    REOPENED,
    RESOLVED,
    ROLE_CHANGED,
    STATUS_CHANGED,
    TYPE_CHANGED,
    UPDATED,
)
from watchkeeper.domain.priority import Priority
from watchkeeper.domain.workflow import IncidentType


class Audience(StrEnum):
    """Who a route reaches: the GDS rules name these, and reminders and escalations look them up."""

    TEAM = "team"
    SECURITY = "security"
    DATA_PROTECTION = "data_protection"
    ESCALATION = "escalation"
    WIDER = "wider"
    OTHER = "other"


SECURITY_TYPES = [
    IncidentType.SECURITY_INCIDENT.value,
    IncidentType.SECURITY_VULNERABILITY.value,
    IncidentType.PERSONAL_DATA_BREACH.value,
]
URGENT = [Priority.P1.value, Priority.P2.value]

# The GDS Way's rules as route filters: the notifications app writes them as rows people can then edit.
GDS_DEFAULTS: dict[str, dict[str, list[str]]] = {
    Audience.TEAM: {},
    Audience.SECURITY: {"incident_types": SECURITY_TYPES, "events": [DECLARED, TYPE_CHANGED]},
    Audience.DATA_PROTECTION: {"incident_types": [IncidentType.PERSONAL_DATA_BREACH.value]},
    Audience.ESCALATION: {"priorities": URGENT, "events": [DECLARED, PRIORITY_CHANGED]},
    Audience.WIDER: {"priorities": URGENT, "events": [DECLARED, UPDATED, RESOLVED]},
}

INCIDENT_EVENTS = [
    DECLARED,
    UPDATED,
    PRIORITY_CHANGED,
    STATUS_CHANGED,
    ROLE_CHANGED,
    TYPE_CHANGED,
    RESOLVED,
    REOPENED,
    CLOSED,
]
REMINDER_EVENTS = [
    "reminder.update_due",
    "reminder.update_overdue",
    "escalation.update_overdue",
    "escalation.response_overdue",
]
# The 72-hour ICO clock: like reminders, routes get them only by asking by name.
BREACH_EVENTS = [BREACH_REMINDER, BREACH_ESCALATION]
ALL_EVENTS = INCIDENT_EVENTS + REMINDER_EVENTS + BREACH_EVENTS


class RouteFilter(Protocol):
    """An empty filter list matches everything."""

    @property
    def events(self) -> Sequence[str]: ...
    @property
    def priorities(self) -> Sequence[str]: ...
    @property
    def incident_types(self) -> Sequence[str]: ...


class Route(RouteFilter, Protocol):
    @property
    def audience(self) -> str: ...
    @property
    def service_id(self) -> int | None: ...


R = TypeVar("R", bound=Route)


@dataclass(frozen=True)
class Change:
    """What happened (``name``) to an incident as it now is; ``previous`` is the value a change replaced."""

    name: str
    priority: str
    incident_type: str
    previous: object = None
    restricted: bool = False


def matches(route: RouteFilter, change: Change) -> bool:
    """Priority and type filters match a change only when the incident enters them ("raised to P1/P2")."""
    if route.events:
        if change.name not in route.events:
            return False
    elif change.name not in INCIDENT_EVENTS:
        # Reminders go to the people the GDS rules name, and to routes that ask for them by name.
        return False
    if route.priorities:
        if change.priority not in route.priorities:
            return False
        if change.name == PRIORITY_CHANGED and change.previous in route.priorities:
            return False
    if route.incident_types:
        if change.incident_type not in route.incident_types:
            return False
        if change.name == TYPE_CHANGED and change.previous in route.incident_types:
            return False
    return True


def own_routes_first(routes: Iterable[R]) -> list[R]:
    """A service's own routes for an audience replace the site-wide ones for that audience."""
    found = list(routes)
    own = {route.audience for route in found if route.service_id and route.audience != Audience.OTHER}
    return [route for route in found if route.service_id or route.audience not in own]


def reached(routes: Iterable[R], change: Change) -> list[R]:
    found = [route for route in routes if matches(route, change)]
    if change.restricted:
        # A security incident or breach is contained before it is communicated: never to the wider audience.
        found = [route for route in found if route.audience != Audience.WIDER]
    return found


def team_hears_by_default(change: Change, audiences: Iterable[str]) -> bool:
    """Every change to an incident reaches its team, even when no route for the team matched."""
    return change.name in INCIDENT_EVENTS and Audience.TEAM not in set(audiences)

"""From an incident event to the deliveries it causes: the GDS rules are Route rows, editable per service."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Q

from watchkeeper.domain.priority import Priority
from watchkeeper.domain.workflow import IncidentType
from watchkeeper.incidents import events
from watchkeeper.incidents.models import Incident
from watchkeeper.notifications.models import Audience, Channel, Route

SECURITY_TYPES = [
    IncidentType.SECURITY_INCIDENT.value,
    IncidentType.SECURITY_VULNERABILITY.value,
    IncidentType.PERSONAL_DATA_BREACH.value,
]
URGENT = [Priority.P1.value, Priority.P2.value]

# The GDS Way's rules as route filters: install_gds_defaults() writes them as rows people can then edit.
GDS_DEFAULTS: dict[str, dict[str, list[str]]] = {
    Audience.TEAM: {},
    Audience.SECURITY: {"incident_types": SECURITY_TYPES, "events": [events.DECLARED, events.TYPE_CHANGED]},
    Audience.DATA_PROTECTION: {"incident_types": [IncidentType.PERSONAL_DATA_BREACH.value]},
    Audience.ESCALATION: {"priorities": URGENT, "events": [events.DECLARED, events.PRIORITY_CHANGED]},
    Audience.WIDER: {"priorities": URGENT, "events": [events.DECLARED, events.UPDATED, events.RESOLVED]},
}

INCIDENT_EVENTS = [
    events.DECLARED,
    events.UPDATED,
    events.PRIORITY_CHANGED,
    events.STATUS_CHANGED,
    events.ROLE_CHANGED,
    events.TYPE_CHANGED,
    events.RESOLVED,
    events.REOPENED,
    events.CLOSED,
]
REMINDER_EVENTS = [
    "reminder.update_due",
    "reminder.update_overdue",
    "escalation.update_overdue",
    "escalation.response_overdue",
]
# The 72-hour ICO clock (published by breaches): like reminders, routes get them only by asking by name.
BREACH_EVENTS = [events.BREACH_REMINDER, events.BREACH_ESCALATION]
ALL_EVENTS = INCIDENT_EVENTS + REMINDER_EVENTS + BREACH_EVENTS


@dataclass(frozen=True)
class Target:
    channel: Channel | None
    kind: str
    recipient: str
    audience: str


# A channel that stands for people found only when a message is routed ("whoever is on call on this schedule"):
# the app that knows them registers how to find them (on call does, for Kind.ONCALL), so this app never imports it.
Expander = Callable[[Target, datetime], list[Target]]
EXPANDERS: dict[str, Expander] = {}
TARGET_CHECKS: dict[str, Callable[[str], str | None]] = {}


def expand_with(kind: str, expander: Expander, check: Callable[[str], str | None]) -> None:
    """check(target) names what is wrong with a channel's target, or returns None; it runs when the channel is saved."""
    EXPANDERS[kind] = expander
    TARGET_CHECKS[kind] = check


def expand(targets: list[Target], now: datetime) -> list[Target]:
    """A target that stands for people becomes those people, as they are at this instant."""
    found: list[Target] = []
    for target in targets:
        expander = EXPANDERS.get(target.kind)
        found += expander(target, now) if expander else [target]
    return found


def routes_for(incident: Incident) -> list[Route]:
    """A service's own routes for an audience replace the site-wide ones for that audience."""
    found = list(
        Route.objects.filter(enabled=True, channel__enabled=True)
        .filter(Q(service=incident.service) | Q(service__isnull=True))
        .select_related("channel")
    )
    own = {route.audience for route in found if route.service_id and route.audience != Audience.OTHER}
    return [route for route in found if route.service_id or route.audience not in own]


def matches(route: Route, name: str, incident: Incident, data: dict[str, Any]) -> bool:
    """Priority and type filters match a change only when the incident enters them ("raised to P1/P2")."""
    if route.events:
        if name not in route.events:
            return False
    elif name not in INCIDENT_EVENTS:
        # Reminders go to the people the GDS rules name, and to routes that ask for them by name.
        return False
    if route.priorities:
        if incident.priority not in route.priorities:
            return False
        if name == events.PRIORITY_CHANGED and data.get("previous") in route.priorities:
            return False
    if route.incident_types:
        if incident.type not in route.incident_types:
            return False
        if name == events.TYPE_CHANGED and data.get("previous") in route.incident_types:
            return False
    return True


def channel_target(channel: Channel, audience: str) -> Target:
    return Target(channel, channel.kind, channel.target, audience)


def person_target(user: User, audience: str = Audience.OTHER) -> Target:
    """A message to one person goes by email; with no address the delivery fails visibly rather than vanishing."""
    return Target(None, "email", user.email or f"{user.get_username()} (no email address)", audience)


def audience_targets(incident: Incident, audience: str) -> list[Target]:
    targets = [channel_target(r.channel, audience) for r in routes_for(incident) if r.audience == audience]
    if audience == Audience.TEAM and not targets and incident.service.team.email:
        # Out of the box the team hears by email; a team route (Slack, say) replaces this.
        targets.append(Target(None, "email", incident.service.team.email, Audience.TEAM))
    return targets


def targets_for(incident: Incident, name: str, data: dict[str, Any]) -> list[Target]:
    routes = [r for r in routes_for(incident) if matches(r, name, incident, data)]
    if incident.restricted:
        # A security incident or breach is contained before it is communicated: never to the wider audience.
        routes = [r for r in routes if r.audience != Audience.WIDER]
    targets = [channel_target(r.channel, r.audience) for r in routes]
    if name in INCIDENT_EVENTS and not any(t.audience == Audience.TEAM for t in targets):
        targets += audience_targets(incident, Audience.TEAM)
    return targets

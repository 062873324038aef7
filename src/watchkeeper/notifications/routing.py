"""From an incident event to the deliveries it causes: the GDS rules are Route rows, editable per service.

Which routes a change reaches is a pure rule in domain/routing.py; this module reads the rows and the incident.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Q

from watchkeeper.domain import routing as rules
from watchkeeper.domain.routing import (
    ALL_EVENTS,
    BREACH_EVENTS,
    GDS_DEFAULTS,
    INCIDENT_EVENTS,
    REMINDER_EVENTS,
    SECURITY_TYPES,
    URGENT,
)
from watchkeeper.incidents.models import Incident
from watchkeeper.notifications.models import Audience, Channel, Route

__all__ = [
    "ALL_EVENTS",
    "BREACH_EVENTS",
    "EXPANDERS",
    "GDS_DEFAULTS",
    "INCIDENT_EVENTS",
    "REMINDER_EVENTS",
    "SECURITY_TYPES",
    "TARGET_CHECKS",
    "URGENT",
    "Expander",
    "Target",
    "audience_targets",
    "channel_target",
    "expand",
    "expand_with",
    "matches",
    "person_target",
    "routes_for",
    "targets_for",
]


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
    found = (
        Route.objects.filter(enabled=True, channel__enabled=True)
        .filter(Q(service=incident.service) | Q(service__isnull=True))
        .select_related("channel")
    )
    return rules.own_routes_first(found)


def _change(incident: Incident, name: str, data: dict[str, Any]) -> rules.Change:
    return rules.Change(name, incident.priority, incident.type, data.get("previous"), incident.restricted)


def matches(route: Route, name: str, incident: Incident, data: dict[str, Any]) -> bool:
    return rules.matches(route, _change(incident, name, data))


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
    what = _change(incident, name, data)
    targets = [channel_target(r.channel, r.audience) for r in rules.reached(routes_for(incident), what)]
    if rules.team_hears_by_default(what, (t.audience for t in targets)):
        targets += audience_targets(incident, Audience.TEAM)
    return targets

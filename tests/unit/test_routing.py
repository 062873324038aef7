"""Route matching and the GDS routing defaults without a database: which routes a change to an incident reaches."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from watchkeeper.domain import event_names as ev
from watchkeeper.domain.routing import (
    ALL_EVENTS,
    GDS_DEFAULTS,
    Audience,
    Change,
    matches,
    own_routes_first,
    reached,
    team_hears_by_default,
)


@dataclass(frozen=True)
class Rule:
    audience: str = Audience.OTHER
    service_id: int | None = None
    events: list[str] = field(default_factory=list)
    priorities: list[str] = field(default_factory=list)
    incident_types: list[str] = field(default_factory=list)


def gds(audience: Audience, service_id: int | None = None) -> Rule:
    return Rule(audience, service_id, **GDS_DEFAULTS[audience])


def change(
    name: str,
    priority: str = "P3",
    incident_type: str = "technical_failure",
    previous: object = None,
    restricted: bool = False,
) -> Change:
    return Change(name, priority, incident_type, previous, restricted)


@pytest.mark.parametrize(
    ("rule", "what", "reached_it", "why"),
    [
        (Rule(), change(ev.DECLARED), True, "an empty filter matches every incident change"),
        (Rule(), change(ev.CLOSED), True, "closing is an incident change"),
        (Rule(), change("reminder.update_due"), False, "reminders only reach routes that ask for them by name"),
        (Rule(), change(ev.BREACH_REMINDER), False, "so do breach clock alerts"),
        (Rule(events=["reminder.update_due"]), change("reminder.update_due"), True, "asked for by name"),
        (Rule(events=[ev.DECLARED]), change(ev.UPDATED), False, "an event filter leaves out other events"),
        (Rule(priorities=["P1"]), change(ev.UPDATED, "P1"), True, "a P1 update reaches a P1 route"),
        (Rule(priorities=["P1"]), change(ev.UPDATED, "P2"), False, "a P2 update does not"),
        (
            Rule(priorities=["P1", "P2"]),
            change(ev.PRIORITY_CHANGED, "P1", previous="P3"),
            True,
            "raised into the filter",
        ),
        (
            Rule(priorities=["P1", "P2"]),
            change(ev.PRIORITY_CHANGED, "P1", previous="P2"),
            False,
            "already inside it: P2 to P1 is not news to this route",
        ),
        (
            Rule(priorities=["P1", "P2"]),
            change(ev.PRIORITY_CHANGED, "P3", previous="P1"),
            False,
            "lowered out of the filter",
        ),
        (
            Rule(incident_types=["personal_data_breach"]),
            change(ev.TYPE_CHANGED, incident_type="personal_data_breach", previous="security_incident"),
            True,
            "the type changed into the filter",
        ),
        (
            Rule(incident_types=["personal_data_breach", "security_incident"]),
            change(ev.TYPE_CHANGED, incident_type="personal_data_breach", previous="security_incident"),
            False,
            "the type changed within the filter",
        ),
        (
            Rule(incident_types=["security_incident"]),
            change(ev.DECLARED, incident_type="technical_failure"),
            False,
            "another type",
        ),
        (
            Rule(priorities=["P1"], incident_types=["security_incident"]),
            change(ev.DECLARED, "P1", "security_incident"),
            True,
            "every filter matches",
        ),
    ],
)
def test_a_route_matches_a_change(rule: Rule, what: Change, reached_it: bool, why: str) -> None:
    assert matches(rule, what) is reached_it, why


@pytest.mark.parametrize(
    ("what", "audiences"),
    [
        (change(ev.DECLARED, "P4"), {Audience.TEAM}),
        (change(ev.DECLARED, "P1"), {Audience.TEAM, Audience.ESCALATION, Audience.WIDER}),
        (change(ev.UPDATED, "P2"), {Audience.TEAM, Audience.WIDER}),
        (change(ev.PRIORITY_CHANGED, "P2", previous="P3"), {Audience.TEAM, Audience.ESCALATION}),
        (change(ev.RESOLVED, "P1"), {Audience.TEAM, Audience.WIDER}),
        (change(ev.STATUS_CHANGED, "P1"), {Audience.TEAM}),
        (
            change(ev.DECLARED, "P3", "security_incident"),
            {Audience.TEAM, Audience.SECURITY},
        ),
        (
            change(ev.DECLARED, "P3", "personal_data_breach"),
            {Audience.TEAM, Audience.SECURITY, Audience.DATA_PROTECTION},
        ),
        (
            change(ev.UPDATED, "P3", "personal_data_breach"),
            {Audience.TEAM, Audience.DATA_PROTECTION},
        ),
        (
            change(ev.TYPE_CHANGED, "P3", "security_vulnerability", previous="technical_failure"),
            {Audience.TEAM, Audience.SECURITY},
        ),
        # Contained before communicated: a restricted incident never reaches the wider audience.
        (
            change(ev.DECLARED, "P1", "security_incident", restricted=True),
            {Audience.TEAM, Audience.SECURITY, Audience.ESCALATION},
        ),
        (change("reminder.update_overdue", "P1"), set()),
    ],
)
def test_the_gds_defaults_reach_the_audiences_the_gds_way_names(what: Change, audiences: set[str]) -> None:
    routes = [gds(audience) for audience in GDS_DEFAULTS]
    assert {route.audience for route in reached(routes, what)} == audiences


def test_the_gds_defaults_name_only_known_events() -> None:
    assert {name for rule in GDS_DEFAULTS.values() for name in rule.get("events", [])} <= set(ALL_EVENTS)


def test_a_services_own_routes_replace_the_site_wide_ones_for_their_audience() -> None:
    site_team, site_wider, site_other = Rule(Audience.TEAM), Rule(Audience.WIDER), Rule(Audience.OTHER)
    own_team, own_other = Rule(Audience.TEAM, service_id=7), Rule(Audience.OTHER, service_id=7)
    routes = [site_team, site_wider, site_other, own_team, own_other]
    # "Other" routes are extra places to send, so a service's own never hides the site-wide ones.
    assert own_routes_first(routes) == [site_wider, site_other, own_team, own_other]
    assert own_routes_first([site_team, site_wider]) == [site_team, site_wider]


@pytest.mark.parametrize(
    ("name", "audiences", "team_by_default"),
    [
        (ev.DECLARED, [], True),
        (ev.DECLARED, [Audience.SECURITY, Audience.WIDER], True),
        (ev.DECLARED, [Audience.TEAM], False),
        (ev.CLOSED, [Audience.OTHER], True),
        ("reminder.update_due", [], False),
        (ev.BREACH_ESCALATION, [], False),
    ],
)
def test_every_incident_change_reaches_the_team(name: str, audiences: list[str], team_by_default: bool) -> None:
    assert team_hears_by_default(change(name), audiences) is team_by_default

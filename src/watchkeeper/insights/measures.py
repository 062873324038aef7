"""The measures: the fact sheets of a set of incidents folded into the figures the API, page and export share."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from watchkeeper.domain import statistics
from watchkeeper.domain.priority import Priority
from watchkeeper.incidents.visibility import Person
from watchkeeper.insights.queries import DURATIONS, Facts, Scope, facts_for

Measures = dict[str, Any]


def _spread(values: list[float]) -> dict[str, float | None]:
    return {"median": statistics.median(values), "p90": statistics.nearest_rank(values, 0.9)}


def measure(facts: Iterable[Facts]) -> Measures:
    """Count, compliance shares, time-to medians and p90s, and the review, action and breach figures."""
    facts = list(facts)
    durations: dict[str, list[float]] = {key: [] for key in DURATIONS}
    for fact in facts:
        for key, value in fact.durations.items():
            if value is not None:
                durations[key].append(value)
    gaps = [f.updates.longest_overdue.total_seconds() for f in facts if f.updates.longest_overdue]
    return {
        "count": len(facts),
        "response_met": statistics.share_of(f.response_met for f in facts).as_dict(),
        "updates_on_time": statistics.Share(
            sum(f.updates.on_time for f in facts), sum(f.updates.required for f in facts)
        ).as_dict(),
        **{key: _spread(values) for key, values in durations.items()},
        "longest_overdue_gap_s": max(gaps, default=None),
        "reminders_sent": sum(f.reminders_sent for f in facts),
        "escalations_sent": sum(f.escalations_sent for f in facts),
        "reviews_within_target": statistics.share_of(f.review_within_target for f in facts).as_dict(),
        "actions_overdue": statistics.Share(
            sum(f.actions_overdue for f in facts), sum(f.actions for f in facts)
        ).as_dict(),
        "breaches_notified_within_72h": statistics.share_of(f.ico_within_72h for f in facts).as_dict(),
    }


def _grouped(facts: list[Facts], key: Callable[[Facts], str]) -> dict[str, Measures]:
    groups: dict[str, list[Facts]] = defaultdict(list)
    for fact in facts:
        groups[key(fact)].append(fact)
    return {name: measure(groups[name]) for name in sorted(groups)}


def summarise(facts: list[Facts], scope: Scope) -> dict[str, Any]:
    """The API's shape: the period, overall figures and the same figures by priority, service and team."""
    by_priority = {level.value: measure(f for f in facts if f.priority == level.value) for level in Priority}
    if scope.priority:
        by_priority = {scope.priority: by_priority[scope.priority]}
    return {
        "from": scope.start.isoformat(),
        "to": scope.end.isoformat(),
        "overall": measure(facts),
        "by_priority": by_priority,
        "by_service": _grouped(facts, lambda f: f.service),
        "by_team": _grouped(facts, lambda f: f.team),
    }


def by_month(facts: list[Facts]) -> dict[str, Measures]:
    """The trend: the same figures for each calendar month (local time) an incident was declared in."""
    return _grouped(facts, lambda f: f.month)


def summary(user: Person, scope: Scope, now: datetime) -> dict[str, Any]:
    return summarise(facts_for(user, scope, now), scope)

"""The measures: the fact sheets of a set of incidents folded into the figures the API, page and export share."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from watchkeeper.domain import statistics
from watchkeeper.domain.priority import Priority
from watchkeeper.incidents.visibility import Person
from watchkeeper.insights.collector import collector_paused
from watchkeeper.insights.oncall_load import oncall_load
from watchkeeper.insights.queries import DURATIONS, Facts, Scope, facts_for

Measures = dict[str, Any]


def _spread(values: list[float]) -> dict[str, float | None]:
    values.sort()  # both sort again, and sorting a sorted list is one quick pass
    return {"median": statistics.median(values), "p90": statistics.nearest_rank(values, 0.9)}


def measure(facts: Iterable[Facts]) -> Measures:
    """Count, compliance shares, time-to medians and p90s, and the review, action and breach figures.

    One pass over the facts, with plain counters: the summary folds every incident four times (overall, priority,
    service, team).
    """
    durations: dict[str, list[float]] = {key: [] for key in DURATIONS}
    count = updates_met = updates_of = reminders = escalations = overdue = actions = 0
    responses_met = responses_of = reviews_met = reviews_of = breaches_met = breaches_of = 0
    longest = timedelta(0)
    for fact in facts:
        count += 1
        for key, value in fact.durations.items():
            if value is not None:
                durations[key].append(value)
        if fact.response_met is not None:
            responses_met += fact.response_met
            responses_of += 1
        if fact.review_within_target is not None:
            reviews_met += fact.review_within_target
            reviews_of += 1
        if fact.ico_within_72h is not None:
            breaches_met += fact.ico_within_72h
            breaches_of += 1
        updates = fact.updates
        updates_met += updates.on_time
        updates_of += updates.required
        if updates.longest_overdue > longest:
            longest = updates.longest_overdue
        reminders += fact.reminders_sent
        escalations += fact.escalations_sent
        overdue += fact.actions_overdue
        actions += fact.actions
    return {
        "count": count,
        "response_met": statistics.Share(responses_met, responses_of).as_dict(),
        "updates_on_time": statistics.Share(updates_met, updates_of).as_dict(),
        **{key: _spread(values) for key, values in durations.items()},
        "longest_overdue_gap_s": longest.total_seconds() or None,
        "reminders_sent": reminders,
        "escalations_sent": escalations,
        "reviews_within_target": statistics.Share(reviews_met, reviews_of).as_dict(),
        "actions_overdue": statistics.Share(overdue, actions).as_dict(),
        "breaches_notified_within_72h": statistics.Share(breaches_met, breaches_of).as_dict(),
    }


def _grouped(facts: list[Facts], key: Callable[[Facts], str]) -> dict[str, Measures]:
    groups: dict[str, list[Facts]] = defaultdict(list)
    for fact in facts:
        groups[key(fact)].append(fact)
    return {name: measure(groups[name]) for name in sorted(groups)}


def summarise(facts: list[Facts], scope: Scope) -> dict[str, Any]:
    """The API's shape: the period, overall figures and the same figures by priority, service and team."""
    levels: dict[str, list[Facts]] = {level.value: [] for level in Priority}
    for fact in facts:
        levels[fact.priority].append(fact)
    by_priority = {name: measure(group) for name, group in levels.items()}
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
    """The API's answer: the incident figures, and the on-call load of the same period and scope."""
    with collector_paused():
        return {**summarise(facts_for(user, scope, now), scope), "oncall": oncall_load(user, scope)}

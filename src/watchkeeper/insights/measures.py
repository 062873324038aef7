"""The measures: the fact sheets of a set of incidents folded into the figures the API, page and export share."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from watchkeeper.domain import statistics
from watchkeeper.domain.priority import Priority
from watchkeeper.incidents.visibility import Person
from watchkeeper.insights.oncall_load import oncall_load
from watchkeeper.insights.queries import DURATIONS, Facts, Scope, facts_for

Measures = dict[str, Any]


def _spread(values: list[float]) -> dict[str, float | None]:
    return {"median": statistics.median(values), "p90": statistics.nearest_rank(values, 0.9)}


def measure(facts: Iterable[Facts]) -> Measures:
    """Count, compliance shares, time-to medians and p90s, and the review, action and breach figures.

    One pass over the facts: the summary folds every incident four times (overall, priority, service, team).
    """
    durations: dict[str, list[float]] = {key: [] for key in DURATIONS}
    responses, reviews, breaches = [0, 0], [0, 0], [0, 0]
    count = updates_met = updates_of = reminders = escalations = overdue = actions = 0
    longest = 0.0
    for fact in facts:
        count += 1
        for key, value in fact.durations.items():
            if value is not None:
                durations[key].append(value)
        for outcome, tally in (
            (fact.response_met, responses),
            (fact.review_within_target, reviews),
            (fact.ico_within_72h, breaches),
        ):
            if outcome is not None:
                tally[0] += outcome
                tally[1] += 1
        updates_met += fact.updates.on_time
        updates_of += fact.updates.required
        longest = max(longest, fact.updates.longest_overdue.total_seconds())
        reminders += fact.reminders_sent
        escalations += fact.escalations_sent
        overdue += fact.actions_overdue
        actions += fact.actions
    return {
        "count": count,
        "response_met": statistics.Share(*responses).as_dict(),
        "updates_on_time": statistics.Share(updates_met, updates_of).as_dict(),
        **{key: _spread(values) for key, values in durations.items()},
        "longest_overdue_gap_s": longest or None,
        "reminders_sent": reminders,
        "escalations_sent": escalations,
        "reviews_within_target": statistics.Share(*reviews).as_dict(),
        "actions_overdue": statistics.Share(overdue, actions).as_dict(),
        "breaches_notified_within_72h": statistics.Share(*breaches).as_dict(),
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
    """The API's answer: the incident figures, and the on-call load of the same period and scope."""
    return {**summarise(facts_for(user, scope, now), scope), "oncall": oncall_load(user, scope)}

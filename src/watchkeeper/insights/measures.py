"""The measures: the fact sheets of a set of incidents folded into the figures the API, page and export share."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
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


@dataclass(slots=True)
class _Tally:
    """What a group of fact sheets adds up to before it becomes figures; tallies of groups add up exactly."""

    counters: list[int]  # in the order of _COUNTERS
    durations: dict[str, list[float]]
    longest: timedelta


_COUNTERS = (
    "count", "responses_met", "responses_of", "updates_met", "updates_of", "reminders", "escalations",
    "overdue", "actions", "reviews_met", "reviews_of", "breaches_met", "breaches_of",
)  # fmt: skip


def _tally(facts: Iterable[Facts]) -> _Tally:
    """One pass over the facts with plain counters."""
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
    counters = [count, responses_met, responses_of, updates_met, updates_of, reminders, escalations]
    counters += [overdue, actions, reviews_met, reviews_of, breaches_met, breaches_of]
    return _Tally(counters, durations, longest)


def _merged(tallies: Iterable[_Tally]) -> _Tally:
    """The tally of the groups together: counters add, durations join (the figures sort them), the longest wins."""
    counters = [0] * len(_COUNTERS)
    durations: dict[str, list[float]] = {key: [] for key in DURATIONS}
    longest = timedelta(0)
    for tally in tallies:
        counters = [a + b for a, b in zip(counters, tally.counters, strict=True)]
        for key, values in tally.durations.items():
            durations[key].extend(values)
        longest = max(longest, tally.longest)
    return _Tally(counters, durations, longest)


def _figures(tally: _Tally) -> Measures:
    """Count, compliance shares, time-to medians and p90s, and the review, action and breach figures."""
    c = dict(zip(_COUNTERS, tally.counters, strict=True))
    return {
        "count": c["count"],
        "response_met": statistics.Share(c["responses_met"], c["responses_of"]).as_dict(),
        "updates_on_time": statistics.Share(c["updates_met"], c["updates_of"]).as_dict(),
        **{key: _spread(values) for key, values in tally.durations.items()},
        "longest_overdue_gap_s": tally.longest.total_seconds() or None,
        "reminders_sent": c["reminders"],
        "escalations_sent": c["escalations"],
        "reviews_within_target": statistics.Share(c["reviews_met"], c["reviews_of"]).as_dict(),
        "actions_overdue": statistics.Share(c["overdue"], c["actions"]).as_dict(),
        "breaches_notified_within_72h": statistics.Share(c["breaches_met"], c["breaches_of"]).as_dict(),
    }


def _grouped(facts: list[Facts], key: Callable[[Facts], str]) -> dict[str, Measures]:
    groups: dict[str, list[Facts]] = defaultdict(list)
    for fact in facts:
        groups[key(fact)].append(fact)
    return {name: _figures(_tally(groups[name])) for name in sorted(groups)}


def summarise(facts: list[Facts], scope: Scope) -> dict[str, Any]:
    """The API's shape: the period, overall figures and the same figures by priority, service and team.

    Each incident is tallied once, in its cell of priority and service (a service has one team); the priority,
    service, team and overall figures add up those cells, so ten thousand incidents are folded once, not four times.
    """
    cells: dict[tuple[str, str, str], list[Facts]] = defaultdict(list)
    for fact in facts:
        cells[(fact.priority, fact.service, fact.team)].append(fact)
    tallies = {key: _tally(group) for key, group in cells.items()}

    def by(part: int, names: Iterable[str]) -> dict[str, Measures]:
        return {name: _figures(_merged(t for key, t in tallies.items() if key[part] == name)) for name in names}

    by_priority = by(0, [level.value for level in Priority])
    if scope.priority:
        by_priority = {scope.priority: by_priority[scope.priority]}
    return {
        "from": scope.start.isoformat(),
        "to": scope.end.isoformat(),
        "overall": _figures(_merged(tallies.values())),
        "by_priority": by_priority,
        "by_service": by(1, sorted({key[1] for key in tallies})),
        "by_team": by(2, sorted({key[2] for key in tallies})),
    }


def by_month(facts: list[Facts]) -> dict[str, Measures]:
    """The trend: the same figures for each calendar month (local time) an incident was declared in."""
    return _grouped(facts, lambda f: f.month)


def summary(user: Person, scope: Scope, now: datetime) -> dict[str, Any]:
    """The API's answer: the incident figures, and the on-call load of the same period and scope."""
    with collector_paused():
        return {**summarise(facts_for(user, scope, now), scope), "oncall": oncall_load(user, scope)}

"""Reads for insights: one fact sheet per incident, from a handful of queries however many incidents there are.

Everything is computed on read from the stored milestones, timeline and calendars, so a corrected milestone or
calendar changes history consistently. Every duration starts at ``impact_started_at`` (which is the reported
"first noticed" time unless an alert's startsAt or a correction says otherwise), as does every clock.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from watchkeeper.breaches.models import Breach
from watchkeeper.catalogue import queries as catalogue
from watchkeeper.catalogue.models import Service
from watchkeeper.domain import statistics
from watchkeeper.domain.office_time import OfficeCalendar
from watchkeeper.domain.priority import Priority, PriorityPolicy, SpanKind
from watchkeeper.domain.workflow import Status
from watchkeeper.incidents.models import EntryKind, Incident, TimelineEntry
from watchkeeper.incidents.services.milestones import MILESTONES
from watchkeeper.incidents.visibility import Person, visible_incidents
from watchkeeper.insights.rows import rows
from watchkeeper.notifications.models import Delivery
from watchkeeper.notifications.models import Status as DeliveryStatus
from watchkeeper.reviews.models import Action, ActionStatus

DURATIONS = {
    "time_to_acknowledge_s": "acknowledged_at",
    "time_to_respond_s": "responded_at",
    "time_to_mitigate_s": "mitigated_at",
    "time_to_resolve_s": "resolved_at",
}
FINISHED = {Status.RESOLVED.value, Status.CLOSED.value}
# Plain strings: an enum member's .value is a property, and the loop over the entries asks for it tens of thousands
# of times.
UPDATE, RESOLVED, REOPENED = EntryKind.UPDATE.value, EntryKind.RESOLVED.value, EntryKind.REOPENED.value


@dataclass(frozen=True)
class Scope:
    """Which incidents a summary covers: declared on local dates ``start``..``end`` inclusive."""

    start: date
    end: date
    priority: str | None = None
    service: str | None = None
    team: str | None = None
    include_exercises: bool = False


@dataclass(slots=True)  # ten thousand a summary: slots make them smaller and quicker to build
class Facts:
    """What insights knows about one incident: its milestones, durations and how it kept each promise."""

    id: int
    reference: str
    title: str
    service: str
    team: str
    priority: str
    status: str
    exercise: bool
    month: str
    milestones: dict[str, datetime | None]
    durations: dict[str, float | None]
    respond_by: datetime
    response_met: bool | None
    updates: statistics.UpdateRecord
    reminders_sent: int = 0
    escalations_sent: int = 0
    review_due_by: datetime | None = None
    review_held_at: datetime | None = None
    review_within_target: bool | None = None
    actions: int = 0
    actions_overdue: int = 0
    ico_deadline: datetime | None = None
    reported_to_ico_at: datetime | None = None
    ico_within_72h: bool | None = None


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def in_scope(user: Person, scope: Scope) -> QuerySet[Incident]:
    zone = _zone()
    begin = datetime.combine(scope.start, time(0), zone)
    end = datetime.combine(scope.end + timedelta(days=1), time(0), zone)
    found = visible_incidents(user).filter(declared_at__gte=begin, declared_at__lt=end)
    if not scope.include_exercises:
        found = found.filter(exercise=False)
    if scope.priority:
        found = found.filter(priority=scope.priority)
    if scope.service:
        found = found.filter(service__slug=scope.service)
    if scope.team:
        found = found.filter(service__team__slug=scope.team)
    return found


@dataclass(frozen=True)
class _Clock:
    """What one service's incidents of one priority are measured by, worked out once per summary."""

    service: str
    team: str
    calendar: OfficeCalendar
    policy: PriorityPolicy
    # Elapsed clocks are plain arithmetic, cheaper than looking anything up; office time goes through the caches.
    respond_within: timedelta | None
    updates_elapsed: bool


@lru_cache(maxsize=1024)
def _shared(clock: Any) -> Any:
    """The first calendar or policy seen equal to ``clock``, whichever request built it.

    Every request builds its own calendars, and the caches below would compare each one field by field (bank
    holidays and all) with the equal one they hold; handing them the very same object lets them match on identity.
    """
    return clock


class _Clocks:
    """Each service's calendar and policies, read once per summary rather than once per incident."""

    def __init__(self) -> None:
        services = Service.objects.select_related("team").prefetch_related("priority_overrides", "closures")
        self._services = {s.pk: s for s in services}
        self._calendars: dict[int, OfficeCalendar] = {}
        self._clocks: dict[tuple[int, str], _Clock] = {}

    def clock(self, pk: int, priority: str) -> _Clock:
        key = (pk, priority)
        if key not in self._clocks:
            service = self._services[pk]
            if pk not in self._calendars:
                self._calendars[pk] = _shared(catalogue.calendar_for(service))
            policy = _shared(catalogue.policy_for(service, Priority(priority)))
            respond = policy.respond_within
            self._clocks[key] = _Clock(
                service=service.slug,
                team=service.team.slug,
                calendar=self._calendars[pk],
                policy=policy,
                respond_within=timedelta(minutes=respond.amount) if respond.kind is SpanKind.ELAPSED else None,
                updates_elapsed=policy.update_interval.kind is SpanKind.ELAPSED,
            )
        return self._clocks[key]


def _timelines(incidents: QuerySet[Incident]) -> dict[int, list[tuple[str, datetime]]]:
    entries = TimelineEntry.objects.filter(incident__in=incidents.values("id"), kind__in=[UPDATE, RESOLVED, REOPENED])
    found: dict[int, list[tuple[str, datetime]]] = defaultdict(list)
    # In the order of the (incident, at, id) index: each incident's entries still come in time order, and neither
    # database has to sort forty thousand rows first.
    ordered = entries.order_by("incident_id", "at", "id")
    for incident_id, kind, at in rows(ordered, ("incident_id", "kind", "at"), frozenset({"at"})):
        found[incident_id].append((kind, at))
    return found


def _periods(
    start: datetime, resolved_at: datetime | None, status: str, entries: list[tuple[str, datetime]]
) -> list[statistics.Period]:
    """When the incident was active: from the start to each resolution, and from each reopening on."""
    periods: list[statistics.Period] = []
    begin: datetime | None = start
    for kind, at in entries:
        if kind == RESOLVED and begin is not None:
            periods.append((begin, at))
            begin = None
        elif kind == REOPENED and begin is None:
            begin = at
    if begin is not None:
        periods.append((begin, resolved_at if status in FINISHED else None))
    elif periods and resolved_at is not None:
        # A corrected resolution time moves the end of the last active period with it.
        periods[-1] = (periods[-1][0], resolved_at)
    return periods


@lru_cache(maxsize=65536)
def _respond_by(policy: PriorityPolicy, calendar: OfficeCalendar, start: datetime) -> datetime:
    return statistics.respond_by(policy, calendar, start)


@lru_cache(maxsize=65536)
def _finished_updates(
    policy: PriorityPolicy,
    calendar: OfficeCalendar,
    periods: tuple[statistics.Period, ...],
    updates: tuple[datetime, ...],
) -> statistics.UpdateRecord:
    end = max(stop for _, stop in periods if stop is not None)
    return statistics.update_discipline(policy, calendar, periods, updates, end)


def _updates(
    clock: _Clock, periods: list[statistics.Period], updates: list[datetime], now: datetime
) -> statistics.UpdateRecord:
    """Update discipline; on office time, once every active period has ended, the answer is kept.

    An ended record no longer depends on now, and the keys hold everything it depends on (policy, calendar,
    periods and updates), so a corrected milestone, a new update or a changed calendar is simply a different key.
    Elapsed intervals are plain arithmetic, cheaper to work out again than to look up.
    """
    if clock.updates_elapsed or not (periods and all(stop is not None and stop <= now for _, stop in periods)):
        return statistics.update_discipline(clock.policy, clock.calendar, periods, updates, now)
    return _finished_updates(clock.policy, clock.calendar, tuple(periods), tuple(updates))


def _deliveries(incidents: QuerySet[Incident]) -> dict[int, tuple[int, int]]:
    found = (
        Delivery.objects.filter(incident__in=incidents.values("id"), status=DeliveryStatus.SENT)
        .values("incident_id")
        .annotate(
            reminders=Count("id", filter=Q(event__startswith="reminder.")),
            escalations=Count("id", filter=Q(event__startswith="escalation.")),
        )
    )
    return {r["incident_id"]: (r["reminders"], r["escalations"]) for r in found}


def _decided_by(deadline: datetime | None, done_at: datetime | None, now: datetime) -> bool | None:
    """Done by the deadline; missed once it passes undone; undecided before then (or with no deadline)."""
    if deadline is None:
        return None
    if done_at is not None:
        return done_at <= deadline
    return False if now > deadline else None


def _attach_actions_breaches(facts: dict[int, Facts], incidents: QuerySet[Incident], now: datetime) -> None:
    ids = incidents.values("id")
    actions = (
        Action.objects.filter(incident__in=ids)
        .exclude(status=ActionStatus.WONT_DO)
        .values("incident_id")
        .annotate(total=Count("id"), overdue=Count("id", filter=Q(status=ActionStatus.OPEN, due_at__lt=now)))
    )
    for incident_id, total, overdue in actions.values_list("incident_id", "total", "overdue"):
        fact = facts.get(incident_id)
        if fact is not None:
            fact.actions, fact.actions_overdue = total, overdue
    fields = ("incident_id", "report_to_ico", "ico_deadline", "reported_to_ico_at")
    # Every reportable breach, kept only for incidents in scope: they are few, and SQLite would otherwise list the
    # ten thousand incidents in scope again first.
    for breach in Breach.objects.filter(incident__isnull=False, report_to_ico=True).values(*fields):
        fact = facts.get(breach["incident_id"])
        if fact is None:
            continue
        fact.ico_deadline, fact.reported_to_ico_at = breach["ico_deadline"], breach["reported_to_ico_at"]
        fact.ico_within_72h = _decided_by(breach["ico_deadline"], breach["reported_to_ico_at"], now)


FIELDS = ("id", "reference", "title", "service_id", "priority", "status", "exercise")
REVIEW = ("review__due_by", "review__held_at", "review__waived_at")


def facts_for(user: Person, scope: Scope, now: datetime) -> list[Facts]:
    """One fact sheet per incident in scope, oldest declared first."""
    incidents = in_scope(user, scope)
    clocks = _Clocks()
    timelines = _timelines(incidents)
    deliveries = _deliveries(incidents)
    zone = _zone()
    facts: dict[int, Facts] = {}
    ordered = incidents.order_by("declared_at", "id")
    for row in rows(ordered, (*FIELDS, *MILESTONES, *REVIEW), frozenset((*MILESTONES, *REVIEW))):
        pk, reference, title, service_id, priority, status, exercise = row[:7]
        milestones = dict(zip(MILESTONES, row[7:-3], strict=True))
        review_due_by, review_held_at, review_waived_at = row[-3:]
        clock = clocks.clock(service_id, priority)
        start = milestones["impact_started_at"] = milestones["impact_started_at"] or milestones["declared_at"]
        entries = timelines.get(pk, [])
        reminders, escalations = deliveries.get(pk, (0, 0))
        local = milestones["declared_at"].astimezone(zone)
        if clock.respond_within is not None:
            respond_by = start + clock.respond_within
        else:
            respond_by = _respond_by(clock.policy, clock.calendar, start)
        if review_waived_at is not None:
            review_due_by = review_held_at = None
        facts[pk] = Facts(
            id=pk,
            reference=reference,
            title=title,
            service=clock.service,
            team=clock.team,
            priority=priority,
            status=status,
            exercise=bool(exercise),
            month=f"{local.year:04d}-{local.month:02d}",
            milestones=milestones,
            # statistics.seconds_between written out (start is never None here): forty thousand calls a summary.
            durations={
                key: None if (end := milestones[field]) is None else (end - start).total_seconds()
                for key, field in DURATIONS.items()
            },
            respond_by=respond_by,
            response_met=statistics.met_by(respond_by, milestones["responded_at"], now),
            updates=_updates(
                clock,
                _periods(start, milestones["resolved_at"], status, entries),
                [at for kind, at in entries if kind == UPDATE],
                now,
            ),
            reminders_sent=reminders,
            escalations_sent=escalations,
            review_due_by=review_due_by,
            review_held_at=review_held_at,
            review_within_target=_decided_by(review_due_by, review_held_at, now),
        )
    _attach_actions_breaches(facts, incidents, now)
    return list(facts.values())

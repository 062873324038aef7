"""Reads for insights: one fact sheet per incident, from a handful of queries however many incidents there are.

Everything is computed on read from the stored milestones, timeline and calendars, so a corrected milestone or
calendar changes history consistently. Every duration starts at ``impact_started_at`` (which is the reported
"first noticed" time unless an alert's startsAt or a correction says otherwise), as does every clock.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connections
from django.db.models import Count, Func, Q, QuerySet, TextField

from watchkeeper.breaches.models import Breach
from watchkeeper.catalogue import queries as catalogue
from watchkeeper.catalogue.models import Service
from watchkeeper.domain import statistics
from watchkeeper.domain.office_time import OfficeCalendar
from watchkeeper.domain.priority import Priority, PriorityPolicy
from watchkeeper.domain.workflow import Status
from watchkeeper.incidents.models import EntryKind, Incident, TimelineEntry
from watchkeeper.incidents.services.milestones import MILESTONES
from watchkeeper.incidents.visibility import Person, visible_incidents
from watchkeeper.notifications.models import Delivery
from watchkeeper.notifications.models import Status as DeliveryStatus
from watchkeeper.reviews.models import Action, ActionStatus, Review

DURATIONS = {
    "time_to_acknowledge_s": "acknowledged_at",
    "time_to_respond_s": "responded_at",
    "time_to_mitigate_s": "mitigated_at",
    "time_to_resolve_s": "resolved_at",
}
FINISHED = {Status.RESOLVED.value, Status.CLOSED.value}


@dataclass(frozen=True)
class Scope:
    """Which incidents a summary covers: declared on local dates ``start``..``end`` inclusive."""

    start: date
    end: date
    priority: str | None = None
    service: str | None = None
    team: str | None = None
    include_exercises: bool = False


@dataclass
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


class _InstantText(Func):
    """An instant as ISO 8601 text with its offset, which ``datetime.fromisoformat`` reads at C speed."""

    template = "CAST(%(expressions)s AS text)"
    output_field = TextField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # Django keeps instants on SQLite as naive UTC text; adding the offset here saves a slow replace() per value.
        return self.as_sql(compiler, connection, template="(%(expressions)s || '+00:00')", **extra)


def _instant(text: str | None) -> datetime | None:
    if text is None:
        return None
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo is UTC else parsed.astimezone(UTC)


def _rows(queryset: QuerySet[Any], fields: tuple[str, ...], instants: frozenset[str]) -> Iterator[dict[str, Any]]:
    """The queryset's rows as dicts, read straight from the cursor.

    Per-value converters cost more than everything else a summary does over 10,000 incidents (Django's, and
    psycopg's time zone loader, each several microseconds an instant), so the instant columns are read as text
    and parsed here with ``datetime.fromisoformat``, and nothing else is converted.
    """
    as_text = {f"text_{name}": _InstantText(name) for name in instants}
    selected = queryset.annotate(**as_text).values_list(*(f"text_{n}" if n in instants else n for n in fields))
    sql, params = selected.query.get_compiler(using=queryset.db).as_sql()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        # Django puts annotations after plain columns, so the names come from the cursor, not from ``fields``.
        names = [column[0].removeprefix("text_") for column in cursor.description]
        while batch := cursor.fetchmany(2000):
            for values in batch:
                row = dict(zip(names, values, strict=True))
                for name in instants:
                    row[name] = _instant(row[name])
                yield row


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


class _Clocks:
    """Each service's calendar and policies, read once per summary rather than once per incident."""

    def __init__(self) -> None:
        services = Service.objects.select_related("team").prefetch_related("priority_overrides")
        self._services = {s.pk: s for s in services}
        self._calendars: dict[int, OfficeCalendar] = {}
        self._policies: dict[tuple[int, str], PriorityPolicy] = {}

    def service(self, pk: int) -> Service:
        return self._services[pk]

    def calendar(self, pk: int) -> OfficeCalendar:
        if pk not in self._calendars:
            self._calendars[pk] = catalogue.calendar_for(self._services[pk])
        return self._calendars[pk]

    def policy(self, pk: int, priority: str) -> PriorityPolicy:
        key = (pk, priority)
        if key not in self._policies:
            self._policies[key] = catalogue.policy_for(self._services[pk], Priority(priority))
        return self._policies[key]


def _timelines(incidents: QuerySet[Incident]) -> dict[int, list[tuple[str, datetime]]]:
    kinds = [EntryKind.UPDATE.value, EntryKind.RESOLVED.value, EntryKind.REOPENED.value]
    entries = TimelineEntry.objects.filter(incident__in=incidents.values("id"), kind__in=kinds).order_by("at", "id")
    found: dict[int, list[tuple[str, datetime]]] = defaultdict(list)
    for row in _rows(entries, ("incident_id", "kind", "at"), frozenset({"at"})):
        found[row["incident_id"]].append((row["kind"], row["at"]))
    return found


def _periods(row: dict[str, Any], entries: list[tuple[str, datetime]]) -> list[statistics.Period]:
    """When the incident was active: from the start to each resolution, and from each reopening on."""
    periods: list[statistics.Period] = []
    begin: datetime | None = row["impact_started_at"]
    for kind, at in entries:
        if kind == EntryKind.RESOLVED.value and begin is not None:
            periods.append((begin, at))
            begin = None
        elif kind == EntryKind.REOPENED.value and begin is None:
            begin = at
    if begin is not None:
        periods.append((begin, row["resolved_at"] if row["status"] in FINISHED else None))
    elif periods and row["resolved_at"] is not None:
        # A corrected resolution time moves the end of the last active period with it.
        periods[-1] = (periods[-1][0], row["resolved_at"])
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
    policy: PriorityPolicy,
    calendar: OfficeCalendar,
    periods: list[statistics.Period],
    updates: list[datetime],
    now: datetime,
) -> statistics.UpdateRecord:
    """Update discipline; once every active period has ended the answer no longer depends on now, so it is kept.

    The keys hold everything the answer depends on (policy, calendar, periods and updates), so a corrected
    milestone, a new update or a changed calendar is simply a different key.
    """
    if periods and all(stop is not None and stop <= now for _, stop in periods):
        return _finished_updates(policy, calendar, tuple(periods), tuple(updates))
    return statistics.update_discipline(policy, calendar, periods, updates, now)


def _deliveries(incidents: QuerySet[Incident]) -> dict[int, tuple[int, int]]:
    rows = (
        Delivery.objects.filter(incident__in=incidents.values("id"), status=DeliveryStatus.SENT)
        .values("incident_id")
        .annotate(
            reminders=Count("id", filter=Q(event__startswith="reminder.")),
            escalations=Count("id", filter=Q(event__startswith="escalation.")),
        )
    )
    return {r["incident_id"]: (r["reminders"], r["escalations"]) for r in rows}


def _decided_by(deadline: datetime | None, done_at: datetime | None, now: datetime) -> bool | None:
    """Done by the deadline; missed once it passes undone; undecided before then (or with no deadline)."""
    if deadline is None:
        return None
    if done_at is not None:
        return done_at <= deadline
    return False if now > deadline else None


def _attach_reviews_actions_breaches(facts: dict[int, Facts], incidents: QuerySet[Incident], now: datetime) -> None:
    ids = incidents.values("id")
    review_fields = ("incident_id", "due_by", "held_at", "waived_at")
    for review in _rows(Review.objects.filter(incident__in=ids), review_fields, frozenset(review_fields[1:])):
        fact = facts.get(review["incident_id"])
        if fact is None or review["waived_at"] is not None:
            continue
        fact.review_due_by, fact.review_held_at = review["due_by"], review["held_at"]
        fact.review_within_target = _decided_by(review["due_by"], review["held_at"], now)
    actions = Action.objects.filter(incident__in=ids)
    for action in _rows(actions, ("incident_id", "status", "due_at"), frozenset({"due_at"})):
        fact = facts.get(action["incident_id"])
        if fact is None or action["status"] == ActionStatus.WONT_DO.value:
            continue
        fact.actions += 1
        fact.actions_overdue += action["status"] == ActionStatus.OPEN.value and action["due_at"] < now
    fields = ("incident_id", "report_to_ico", "ico_deadline", "reported_to_ico_at")
    for breach in Breach.objects.filter(incident__in=ids, report_to_ico=True).values(*fields):
        fact = facts.get(breach["incident_id"])
        if fact is None:
            continue
        fact.ico_deadline, fact.reported_to_ico_at = breach["ico_deadline"], breach["reported_to_ico_at"]
        fact.ico_within_72h = _decided_by(breach["ico_deadline"], breach["reported_to_ico_at"], now)


FIELDS = (
    "id",
    "reference",
    "title",
    "service_id",
    "priority",
    "status",
    "exercise",
    *MILESTONES,
)


def facts_for(user: Person, scope: Scope, now: datetime) -> list[Facts]:
    """One fact sheet per incident in scope, oldest declared first."""
    incidents = in_scope(user, scope)
    clocks = _Clocks()
    timelines = _timelines(incidents)
    deliveries = _deliveries(incidents)
    zone = _zone()
    facts: dict[int, Facts] = {}
    for row in _rows(incidents.order_by("declared_at", "id"), FIELDS, frozenset(MILESTONES)):
        service = clocks.service(row["service_id"])
        calendar = clocks.calendar(row["service_id"])
        policy = clocks.policy(row["service_id"], row["priority"])
        start = row["impact_started_at"] or row["declared_at"]
        row["impact_started_at"] = start
        entries = timelines.get(row["id"], [])
        updates = [at for kind, at in entries if kind == EntryKind.UPDATE.value]
        reminders, escalations = deliveries.get(row["id"], (0, 0))
        local = row["declared_at"].astimezone(zone)
        respond_by = _respond_by(policy, calendar, start)
        facts[row["id"]] = Facts(
            id=row["id"],
            reference=row["reference"],
            title=row["title"],
            service=service.slug,
            team=service.team.slug,
            priority=row["priority"],
            status=row["status"],
            exercise=bool(row["exercise"]),
            month=f"{local.year:04d}-{local.month:02d}",
            milestones={name: row[name] for name in MILESTONES},
            durations={key: statistics.seconds_between(start, row[field]) for key, field in DURATIONS.items()},
            respond_by=respond_by,
            response_met=statistics.met_by(respond_by, row["responded_at"], now),
            updates=_updates(policy, calendar, _periods(row, entries), updates, now),
            reminders_sent=reminders,
            escalations_sent=escalations,
        )
    _attach_reviews_actions_breaches(facts, incidents, now)
    return list(facts.values())

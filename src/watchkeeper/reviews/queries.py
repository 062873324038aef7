"""Reads for the register, follow-up actions and the public report; everything starts from visible incidents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import BooleanField, Case, DurationField, ExpressionWrapper, F, Q, QuerySet, Value, When
from django.db.models.expressions import OrderBy
from django.db.models.functions import Coalesce
from django.utils import timezone

from watchkeeper import bounds
from watchkeeper.incidents.models import Incident
from watchkeeper.incidents.visibility import Person, visible_incidents
from watchkeeper.reviews.models import Action, ActionStatus, Report

YES_NO = {"yes": True, "no": False}


@dataclass(frozen=True)
class RegisterFilters:
    service: str = ""
    team: str = ""
    priority: str = ""
    status: str = ""
    root_cause: str = ""
    response_met: str = ""  # yes or no
    updates_on_time: str = ""  # yes or no
    declared_from: date | None = None
    declared_to: date | None = None


# Sort keys people can ask for, each with the columns it orders by (the reference breaks ties).
SORTS: dict[str, tuple[str, ...]] = {
    "reference": ("reference",),
    "title": ("title",),
    "service": ("service__name",),
    "priority": ("priority",),
    "status": ("status",),
    "started": ("reported_at",),
    "declared": ("declared_at",),
    "resolved": ("resolved_at",),
    "total_duration": ("total_duration",),
    "time_to_fix": ("time_to_fix",),
    "response_met": ("is_response_met",),
    "updates_on_time": ("is_updates_on_time",),
    "incident_lead": ("incident_lead__username",),
    "comms_lead": ("comms_lead__username",),
    "root_cause": ("review__root_cause_category",),
    "review_date": ("review__held_at",),
}
DEFAULT_SORT = "-declared"


def _response_met() -> Q:
    return Q(response_met_at__isnull=False, response_met_at__lte=F("respond_by"))


def _updates_on_time(now: datetime) -> Q:
    # Late when an update was published late, one is overdue now, or none came before the first was due.
    never_updated_in_time = Q(last_update_at__isnull=True, first_update_by__lt=Coalesce(F("resolved_at"), Value(now)))
    return Q(updates_late=0) & ~Q(next_update_due__lt=now) & ~never_updated_in_time


def _annotated(incidents: QuerySet[Incident], now: datetime) -> QuerySet[Incident]:
    return incidents.annotate(
        is_response_met=Case(
            When(_response_met(), then=Value(True)), default=Value(False), output_field=BooleanField()
        ),
        is_updates_on_time=Case(
            When(_updates_on_time(now), then=Value(True)), default=Value(False), output_field=BooleanField()
        ),
        total_duration=ExpressionWrapper(F("resolved_at") - F("reported_at"), output_field=DurationField()),
        time_to_fix=ExpressionWrapper(F("resolved_at") - F("declared_at"), output_field=DurationField()),
    )


def _day_start(day: date) -> datetime:
    # Clamped, so "to=9999-12-31" (whose next day does not exist) still means "no end".
    return datetime.combine(bounds.clamp_day(day), time.min, timezone.get_current_timezone())


def register(
    user: Person, filters: RegisterFilters = RegisterFilters(), sort: str = DEFAULT_SORT
) -> QuerySet[Incident]:
    """One row per incident the user may see, across every service, filtered and sorted."""
    return _register(visible_incidents(user), filters, sort)


def whole_register(filters: RegisterFilters = RegisterFilters(), sort: str = DEFAULT_SORT) -> QuerySet[Incident]:
    """Every incident, restricted ones too: only for an operator on the server, never for a web or API caller."""
    return _register(Incident.objects.all(), filters, sort)


def _register(incidents: QuerySet[Incident], filters: RegisterFilters, sort: str) -> QuerySet[Incident]:
    now = timezone.now()
    found = _annotated(incidents, now).select_related(
        "service__team", "incident_lead", "comms_lead", "review", "report"
    )
    exact = {
        "service__slug": filters.service,
        "service__team__slug": filters.team,
        "priority": filters.priority.upper(),
        "status": filters.status,
        "review__root_cause_category": filters.root_cause,
    }
    found = found.filter(**{name: value for name, value in exact.items() if value})
    if filters.response_met in YES_NO:
        met = _response_met()
        found = found.filter(met) if YES_NO[filters.response_met] else found.exclude(met)
    if filters.updates_on_time in YES_NO:
        on_time = _updates_on_time(now)
        found = found.filter(on_time) if YES_NO[filters.updates_on_time] else found.exclude(on_time)
    if filters.declared_from:
        found = found.filter(declared_at__gte=_day_start(filters.declared_from))
    if filters.declared_to:
        found = found.filter(declared_at__lt=_day_start(bounds.clamp_day(filters.declared_to) + timedelta(days=1)))
    return found.order_by(*sort_order(sort))


def sort_order(sort: str) -> list[OrderBy]:
    """Unknown keys fall back to the newest first; empty cells (not resolved, not reviewed) sort last either way."""
    key = sort.lstrip("-")
    descending = sort.startswith("-") or key not in SORTS
    columns = [*SORTS.get(key, SORTS["declared"]), "reference"]
    if descending:
        return [F(column).desc(nulls_last=True) for column in columns]
    return [F(column).asc(nulls_last=True) for column in columns]


def response_met_text(incident: Incident) -> str:
    if incident.response_met_at is not None:
        return "Yes" if incident.response_met_at <= incident.respond_by else "No, late"
    return "Not yet" if incident.respond_by >= timezone.now() else "No"


def updates_on_time_text(incident: Incident) -> str:
    on_time = getattr(incident, "is_updates_on_time", None)
    if on_time is None:
        on_time = Incident.objects.filter(_updates_on_time(timezone.now()), pk=incident.pk).exists()
    return "Yes" if on_time else "No"


def total_duration(incident: Incident) -> timedelta | None:
    """Problem started (reported) to resolved."""
    return incident.resolved_at - incident.reported_at if incident.resolved_at else None


def time_to_fix(incident: Incident) -> timedelta | None:
    """Declared to resolved."""
    return incident.resolved_at - incident.declared_at if incident.resolved_at else None


def local(incident: Incident, instant: datetime | None) -> datetime | None:
    return instant.astimezone(ZoneInfo(incident.service.timezone)) if instant else None


# Actions ------------------------------------------------------------------------------------------------------------


def actions_for(user: Person) -> QuerySet[Action]:
    return Action.objects.filter(incident__in=visible_incidents(user).values("id")).select_related(
        "incident__service__team", "owner"
    )


def overdue_actions(user: Person) -> QuerySet[Action]:
    """Open actions past their due date, across every service the user may see, the most overdue first."""
    return actions_for(user).filter(status=ActionStatus.OPEN, due_at__lt=timezone.now()).order_by("due_at", "id")


def incident_actions(incident: Incident) -> QuerySet[Action]:
    return Action.objects.filter(incident=incident).select_related("owner").order_by("due_at", "id")


# Public report -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicReport:
    reference: str
    title: str
    text: str
    started: datetime
    resolved: datetime | None
    published_at: datetime


def public_report(incident: Incident) -> PublicReport | None:
    """The plain-language version for the status page, or None: restricted or not marked publishable."""
    if incident.restricted:
        return None
    report = Report.objects.filter(incident=incident, publishable=True).first()
    if report is None or not report.public_text or report.published_at is None:
        return None
    return PublicReport(
        reference=incident.reference,
        title=incident.title,
        text=report.public_text,
        started=incident.reported_at,
        resolved=incident.resolved_at,
        published_at=report.published_at,
    )

"""Reads of the catalogue, and the bridge from a stored service to the domain's calendar and policies."""

from __future__ import annotations

from django.db.models import QuerySet

from watchkeeper.catalogue.holidays import bank_holidays
from watchkeeper.catalogue.models import Component, PriorityOverride, Service, Team, parse_working_days
from watchkeeper.domain.office_time import Division, OfficeCalendar
from watchkeeper.domain.priority import DEFAULT_POLICIES, Priority, PriorityPolicy, Span, SpanKind


def services() -> QuerySet[Service]:
    return Service.objects.select_related("team").prefetch_related("priority_overrides", "components")


def teams() -> QuerySet[Team]:
    return Team.objects.all()


def components() -> QuerySet[Component]:
    return Component.objects.select_related("service")


def calendar_for(service: Service) -> OfficeCalendar:
    division = Division(service.division)
    return OfficeCalendar(
        holidays=bank_holidays(division),
        division=division,
        timezone=service.timezone,
        working_days=parse_working_days(service.working_days),
        opening=service.opening,
        closing=service.closing,
        # all() rather than values_list(), so a summary that prefetched every service's closures reads none again.
        closures=frozenset(closure.date for closure in service.closures.all()),
    )


def _span(kind: str, amount: int | None) -> Span | None:
    if not kind or amount is None:
        return None
    return Span(SpanKind(kind), amount)


def policy_for(service: Service, priority: Priority, override: PriorityOverride | None = None) -> PriorityPolicy:
    """The service's policy for a priority, from its stored override or, before it is saved, the one given."""
    if override is None:
        override = next((o for o in service.priority_overrides.all() if o.priority == priority.value), None)
    default = DEFAULT_POLICIES[priority]
    if override is None:
        return default
    return default.with_overrides(
        respond_within=_span(override.respond_kind, override.respond_amount),
        update_interval=_span(override.update_kind, override.update_amount),
    )


def policies_for(service: Service) -> list[PriorityPolicy]:
    return [policy_for(service, priority) for priority in Priority]


def overrides(service: Service) -> QuerySet[PriorityOverride]:
    return service.priority_overrides.all()

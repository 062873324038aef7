"""Reads for the public page, its JSON and feeds, and the comms lead's pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from watchkeeper.catalogue.models import Component, Service
from watchkeeper.reviews.queries import PublicReport, public_report
from watchkeeper.statuspage.models import (
    AffectedComponent,
    PublicIncident,
    PublicUpdate,
    StatusPeriod,
    SubscriberMessage,
)
from watchkeeper.statuspage.vocabulary import ComponentStatus, MaintenanceStatus, page_status

PAST_PER_PAGE = 10


@dataclass
class ServiceGroup:
    service: Service
    components: list[Component]


def statuses() -> dict[int, str]:
    """Every component's status now (from its open period); components with none are operational."""
    return dict(StatusPeriod.objects.filter(ended_at__isnull=True).values_list("component_id", "status"))


def components() -> list[Component]:
    """Every component with its status now and since when (its first recorded change, if none is open)."""
    found = list(Component.objects.select_related("service").order_by("service__name", "position", "name"))
    open_rows = StatusPeriod.objects.filter(ended_at__isnull=True).values_list("component_id", "status", "started_at")
    open_periods = {row[0]: row[1:] for row in open_rows}
    fallback = last_changed()
    for component in found:
        status, since = open_periods.get(component.pk, (ComponentStatus.OPERATIONAL.value, fallback))
        component.status = status  # type: ignore[attr-defined]
        component.since = since  # type: ignore[attr-defined]
    return found


def grouped(found: list[Component]) -> list[ServiceGroup]:
    groups: dict[int, ServiceGroup] = {}
    for component in found:
        groups.setdefault(component.service_id, ServiceGroup(component.service, [])).components.append(component)
    return list(groups.values())


def _with_updates(found: QuerySet[PublicIncident]) -> QuerySet[PublicIncident]:
    updates = PublicUpdate.objects.order_by("-display_at", "-id").prefetch_related(
        Prefetch("affected", queryset=AffectedComponent.objects.select_related("component"))
    )
    return found.select_related("incident").prefetch_related(Prefetch("updates", queryset=updates), "components")


def report(public: PublicIncident) -> PublicReport | None:
    """The post-incident report's public version, once the reviews app publishes it (never for restricted ones)."""
    if public.incident is None or public.is_maintenance:
        return None
    return public_report(public.incident)


def public_incidents() -> QuerySet[PublicIncident]:
    return _with_updates(PublicIncident.objects.all())


def incidents() -> QuerySet[PublicIncident]:
    return public_incidents().filter(kind=PublicIncident.Kind.INCIDENT)


def unresolved_incidents() -> QuerySet[PublicIncident]:
    return incidents().filter(resolved_at__isnull=True)


def maintenances() -> QuerySet[PublicIncident]:
    return public_incidents().filter(kind=PublicIncident.Kind.MAINTENANCE).order_by("-scheduled_for", "-id")


def upcoming_maintenances() -> QuerySet[PublicIncident]:
    return maintenances().filter(status=MaintenanceStatus.SCHEDULED.value).order_by("scheduled_for", "id")


def active_maintenances() -> QuerySet[PublicIncident]:
    active = [MaintenanceStatus.IN_PROGRESS.value, MaintenanceStatus.VERIFYING.value]
    return maintenances().filter(status__in=active).order_by("scheduled_for", "id")


def past(page: int) -> tuple[list[PublicIncident], int]:
    """Resolved incidents and completed maintenance, newest first, and the number of pages."""
    finished = public_incidents().filter(resolved_at__isnull=False).order_by("-resolved_at", "-id")
    count = finished.count()
    pages = max(1, -(-count // PAST_PER_PAGE))
    start = (page - 1) * PAST_PER_PAGE
    return list(finished[start : start + PAST_PER_PAGE]), pages


def overall(found: list[Component], open_incidents: list[PublicIncident]) -> tuple[str, str]:
    return page_status([c.status for c in found], [i.impact for i in open_incidents])  # type: ignore[attr-defined]


def last_changed() -> datetime:
    latest = PublicIncident.objects.order_by("-updated_at").values_list("updated_at", flat=True).first()
    return latest or timezone.now()


def delivery_counts(update: PublicUpdate) -> dict[str, int]:
    rows = update.deliveries.values("state").annotate(n=Count("id"))
    counts = {state.value: 0 for state in SubscriberMessage.State}
    counts.update({row["state"]: row["n"] for row in rows})
    return counts

"""Reads of incidents, always through visibility: nothing here can leak a restricted incident."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404

from watchkeeper.accounts.roles import Role
from watchkeeper.domain.workflow import OPEN_STATUSES
from watchkeeper.incidents.models import Incident, TimelineEntry
from watchkeeper.incidents.visibility import Person, visible_incidents

OPEN = [status.value for status in OPEN_STATUSES]


@dataclass(frozen=True)
class Filters:
    status: str | None = None
    service: str | None = None
    priority: str | None = None


def incidents_for(user: Person, filters: Filters = Filters()) -> QuerySet[Incident]:
    found = visible_incidents(user)
    if filters.status == "open":
        found = found.filter(status__in=OPEN)
    elif filters.status:
        found = found.filter(status=filters.status)
    if filters.service:
        found = found.filter(service__slug=filters.service)
    if filters.priority:
        found = found.filter(priority=filters.priority.upper())
    return found


def open_incidents(user: Person, filters: Filters = Filters()) -> QuerySet[Incident]:
    """Most urgent first: priority, then the earliest declared."""
    return incidents_for(user, filters).filter(status__in=OPEN).order_by("priority", "declared_at", "id")


def finished_incidents(user: Person, filters: Filters = Filters()) -> QuerySet[Incident]:
    return incidents_for(user, filters).exclude(status__in=OPEN).order_by("-declared_at", "-id")


def open_on_service(user: Person, service_slug: str) -> QuerySet[Incident]:
    """'Is anyone already on this?': shown before a new declaration on the same service."""
    return open_incidents(user, Filters(service=service_slug))


def get_incident(user: Person, reference: str) -> Incident:
    """404 both for an unknown reference and for one the user may not see: no hint that it exists."""
    incident = visible_incidents(user).filter(reference=reference.upper()).first()
    if incident is None:
        raise Http404(f"No incident {reference}")
    return incident


def timeline(incident: Incident, *, newest_first: bool = True) -> QuerySet[TimelineEntry]:
    entries = incident.timeline.select_related("author")
    return entries.order_by("-at", "-id") if newest_first else entries.order_by("at", "id")


def eligible_people() -> QuerySet[User]:
    """Who can take a role: active people in a group that acts on incidents (as can_act says), by name."""
    acting = Q(groups__name__in=[Role.RESPONDER.value, Role.ADMIN.value, Role.SECURITY.value]) | Q(is_superuser=True)
    return get_user_model().objects.filter(acting, is_active=True).distinct().order_by("username")  # type: ignore[return-value]


def user_named(username: str, field: str = "username") -> User:
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ValidationError({field: f"no active user called {username!r}"})
    return user  # type: ignore[return-value]

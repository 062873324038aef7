"""The only functions that change the catalogue: each validates fully before it saves anything."""

from __future__ import annotations

from datetime import time
from typing import Any

from django.db import transaction

from watchkeeper.catalogue.models import Component, PriorityOverride, Service, Team


def _save(instance: Any) -> Any:
    instance.full_clean()
    instance.save()
    return instance


@transaction.atomic
def create_team(*, slug: str, name: str, email: str = "") -> Team:
    return _save(Team(slug=slug, name=name, email=email))


@transaction.atomic
def update_team(team: Team, **fields: Any) -> Team:
    for name, value in fields.items():
        setattr(team, name, value)
    return _save(team)


@transaction.atomic
def create_service(
    *,
    slug: str,
    name: str,
    team: Team,
    division: str | None = None,
    opening: time | None = None,
    closing: time | None = None,
    **fields: Any,
) -> Service:
    service = Service(slug=slug, name=name, team=team, **fields)
    if division is not None:
        service.division = division
    if opening is not None:
        service.opening = opening
    if closing is not None:
        service.closing = closing
    return _save(service)


@transaction.atomic
def update_service(service: Service, **fields: Any) -> Service:
    for name, value in fields.items():
        setattr(service, name, value)
    return _save(service)


@transaction.atomic
def create_component(*, service: Service, slug: str, name: str, description: str = "", position: int = 0) -> Component:
    return _save(Component(service=service, slug=slug, name=name, description=description, position=position))


@transaction.atomic
def set_priority_override(
    service: Service,
    priority: str,
    *,
    respond_kind: str = "",
    respond_amount: int | None = None,
    update_kind: str = "",
    update_amount: int | None = None,
) -> PriorityOverride | None:
    """Sets a service's own clocks for one priority; with nothing given, the GDS default applies again."""
    PriorityOverride.objects.filter(service=service, priority=priority).delete()
    if not respond_kind and not update_kind and respond_amount is None and update_amount is None:
        return None
    override = PriorityOverride(
        service=service,
        priority=priority,
        respond_kind=respond_kind,
        respond_amount=respond_amount,
        update_kind=update_kind,
        update_amount=update_amount,
    )
    return _save(override)

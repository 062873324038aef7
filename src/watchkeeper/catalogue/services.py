"""The only functions that change the catalogue: each validates fully before it saves anything."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, time
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from watchkeeper.catalogue.models import ClosureDate, Component, PriorityOverride, Service, Team
from watchkeeper.catalogue.queries import policy_for
from watchkeeper.domain.priority import Priority
from watchkeeper.incidents import events


def _save(instance: Any) -> Any:
    instance.full_clean()
    instance.save()
    return instance


def _changed(instance: Service | Component) -> None:
    """Tells the apps that show the catalogue (the public status page) inside this transaction."""
    events.publish(events.RecordEvent(events.CATALOGUE_CHANGED, instance.pk))


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
    _changed(_save(service))
    return service


@transaction.atomic
def update_service(service: Service, **fields: Any) -> Service:
    for name, value in fields.items():
        setattr(service, name, value)
    _changed(_save(service))
    return service


@transaction.atomic
def create_component(*, service: Service, slug: str, name: str, description: str = "", position: int = 0) -> Component:
    component = _save(Component(service=service, slug=slug, name=name, description=description, position=position))
    _changed(component)
    return component


@transaction.atomic
def update_component(
    component: Component, *, slug: str, name: str, description: str = "", position: int = 0
) -> Component:
    """Renames or reorders a component; its status history and subscribers stay with it."""
    taken = Component.objects.filter(service_id=component.service_id, slug=slug).exclude(pk=component.pk)
    if taken.exists():
        raise ValidationError({"slug": "Another component of this service already uses this short name"})
    component.slug, component.name, component.description, component.position = slug, name, description, position
    _changed(_save(component))
    return component


def open_public_incidents(component: Component) -> list[str]:
    """The names of the open public incidents and maintenance that list the component: it cannot go while they run."""
    # Through the reverse relation's name: the catalogue sits below the status page and never imports it.
    return list(component.public_incidents.filter(resolved_at__isnull=True).values_list("name", flat=True))


@transaction.atomic
def remove_component(component: Component) -> None:
    """Deletes a component and, with it, its status history and its place on past public updates.

    Refused while an open public incident or maintenance lists it: the status page would lose a part of a
    story it is still telling, and resolving the incident would set no component back to operational.
    """
    running = open_public_incidents(component)
    if running:
        names = ", ".join(f"“{name}”" for name in running)
        raise ValidationError(
            f"{component.name} is part of the open public incident {names} on the status page. "
            "Resolve it, or take the component off it, before you remove the component"
        )
    _changed(component)
    component.delete()


@transaction.atomic
def add_closure_date(*, service: Service, date: date, reason: str = "") -> ClosureDate:
    """A day the service's office is shut beyond its bank holidays: office-hours clocks skip it from now on."""
    return _save(ClosureDate(service=service, date=date, reason=reason))


@transaction.atomic
def remove_closure_date(closure: ClosureDate) -> None:
    """The office opens that day after all: office-hours clocks worked out from now on count it again."""
    closure.delete()


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
    override.full_clean()
    # The domain refuses some mixes (P1 and P2 updates repeat, so only an elapsed interval keeps them coming all
    # night): ask it now, not when the first incident's deadlines are worked out.
    try:
        policy_for(service, Priority(priority), override)
    except ValueError as error:
        raise ValidationError({"update_kind": str(error)}) from None
    override.save()
    return override


@transaction.atomic
def set_priority_overrides(service: Service, by_priority: Mapping[str, Mapping[str, Any]]) -> None:
    """Sets several priorities' clocks at once: all of them or, if one is refused, none.

    A refusal names its field as ``P2_respond_amount``, so a form holding every priority can show it in place.
    """
    for priority, fields in by_priority.items():
        try:
            set_priority_override(service, priority, **fields)
        except ValidationError as error:
            raise ValidationError(
                {
                    name if name == NON_FIELD_ERRORS else f"{priority}_{name}": messages
                    for name, messages in error.message_dict.items()
                }
            ) from None

"""Publishing to the public status page over JSON, with exactly the web forms' rules (statuspage.services decides).

404 for an internal incident the caller may not see, 403 for someone who may not publish (or a restricted incident
without an admin's explicit `confirm_restricted`), 422 naming the field for invalid input. Subscribers are told
as from the form, unless `notify` is false.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal, cast

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.responses import Status

from watchkeeper.accounts.roles import can_act, is_admin
from watchkeeper.catalogue.models import Component
from watchkeeper.incidents.queries import get_incident
from watchkeeper.statuspage import queries, services
from watchkeeper.statuspage.models import PublicIncident, PublicUpdate

router = Router(tags=["status page"])

IncidentStatus = Literal["investigating", "identified", "monitoring", "resolved"]
MaintenanceStatus = Literal["scheduled", "in_progress", "verifying", "completed"]
ComponentStatus = Literal["operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance"]
Impact = Literal["none", "minor", "major", "critical"]


class PublishIn(Schema):
    incident: str
    title: str
    status: IncidentStatus = "investigating"
    body: str = ""
    components: dict[str, ComponentStatus] = {}
    impact: Impact | None = None
    notify: bool = True
    display_at: datetime | None = None
    confirm_restricted: bool = False


class PostIn(Schema):
    status: IncidentStatus | MaintenanceStatus
    body: str = ""
    components: dict[str, ComponentStatus] = {}
    notify: bool = True
    display_at: datetime | None = None


class UpdateOut(Schema):
    id: int
    incident_id: int
    status: str
    body: str
    display_at: datetime
    notify: bool
    components: dict[str, str]


class PublicIncidentOut(Schema):
    id: int
    incident: str | None
    title: str
    status: str
    impact: str
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    components: dict[str, str]
    updates: list[UpdateOut]


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _component(key: str) -> Component:
    """A component by id, by slug when only one service has it, or as SERVICE/SLUG."""
    field = f"components.{key}"
    if key.isdigit():
        found = list(Component.objects.filter(pk=int(key)))
    elif "/" in key:
        service, _, slug = key.partition("/")
        found = list(Component.objects.filter(service__slug=service, slug=slug))
    else:
        found = list(Component.objects.filter(slug=key)[:2])
    if not found:
        raise ValidationError({field: f"No component {key!r}: give its id or slug"})
    if len(found) > 1:
        raise ValidationError({field: f"Several services have a component {key!r}: give its id or SERVICE/{key}"})
    return found[0]


def _statuses(components: Mapping[str, str]) -> dict[Component, str]:
    return {_component(key): status for key, status in components.items()}


def _update_out(update: PublicUpdate) -> dict[str, Any]:
    return {
        "id": update.pk,
        "incident_id": update.public_incident_id,
        "status": update.status,
        "body": update.body,
        "display_at": update.display_at,
        "notify": update.notify,
        "components": {str(a.component_id): a.new_status for a in update.affected.all()},
    }


def _public_out(public: PublicIncident) -> dict[str, Any]:
    public = queries.public_incidents().select_related("incident").get(pk=public.pk)
    updates = list(public.updates.all())
    latest: dict[str, str] = {}
    for update in sorted(updates, key=lambda u: (u.created_at, u.pk)):
        latest.update({str(a.component_id): a.new_status for a in update.affected.all()})
    return {
        "id": public.pk,
        "incident": public.incident.reference if public.incident else None,
        "title": public.name,
        "status": public.status,
        "impact": public.impact,
        "created_at": public.created_at,
        "updated_at": public.updated_at,
        "resolved_at": public.resolved_at,
        "components": latest,
        "updates": [_update_out(u) for u in updates],
    }


def _require_publisher(actor: User) -> None:
    if not can_act(actor):
        raise PermissionDenied("Only responders can publish to the status page")


@router.post("/status/incidents", response={201: PublicIncidentOut})
def publish(request: HttpRequest, payload: PublishIn) -> Status[dict[str, Any]]:
    actor = _actor(request)
    incident = get_incident(actor, payload.incident)
    _require_publisher(actor)
    if incident.restricted and not is_admin(actor):
        raise PermissionDenied("Only an admin can publish a restricted incident")
    public = services.publish_incident(
        actor,
        incident,
        name=payload.title,
        body=payload.body,
        status=payload.status,
        component_statuses=_statuses(payload.components),
        impact_override=payload.impact or "",
        notify=payload.notify,
        display_at=payload.display_at,
        confirm_restricted=payload.confirm_restricted,
    )
    return Status(201, _public_out(public))


@router.post("/status/incidents/{id}/updates", response={201: UpdateOut})
def post_update(request: HttpRequest, id: int, payload: PostIn) -> Status[dict[str, Any]]:
    actor = _actor(request)
    _require_publisher(actor)
    public = get_object_or_404(PublicIncident, pk=id)
    update = services.post_update(
        actor,
        public,
        status=payload.status,
        body=payload.body,
        component_statuses=_statuses(payload.components),
        notify=payload.notify,
        display_at=payload.display_at,
    )
    return Status(201, _update_out(update))

"""Integrations (admins) and alert groups (responders act; anyone with a token reads)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import ValidationError as PydanticError

from watchkeeper.accounts.roles import is_admin
from watchkeeper.alerts import queries
from watchkeeper.alerts.models import AlertGroup, Integration
from watchkeeper.alerts.services import declaring, groups, integrations, paging
from watchkeeper.api.base import Id
from watchkeeper.catalogue.models import Service
from watchkeeper.incidents.queries import get_incident
from watchkeeper.incidents.visibility import can_see

router = Router(tags=["alerts"])


class IntegrationIn(Schema):
    name: str
    service: str
    policy: str | None = None
    kind: str
    grouping: str | None = None
    grouping_labels: list[str] | None = None
    heartbeat_interval_seconds: int | None = None
    routes: list[dict[str, Any]] | None = None


class IntegrationPatch(Schema):
    name: str | None = None
    service: str | None = None
    policy: str | None = None
    grouping: str | None = None
    grouping_labels: list[str] | None = None
    heartbeat_interval_seconds: int | None = None
    routes: list[dict[str, Any]] | None = None


class IntegrationOut(Schema):
    id: int
    name: str
    service: str
    policy: str | None
    kind: str
    key_hint: str
    grouping: str
    grouping_labels: list[str]
    heartbeat_interval_seconds: int | None
    refusals: int
    last_refusal: str
    dropped: int
    throttled: int
    routes: list[dict[str, Any]]

    @staticmethod
    def resolve_routes(obj: Integration) -> list[dict[str, Any]]:
        return [
            {"matchers": r.matchers, "priority": r.priority or None, "page": r.page, "auto_declare": r.auto_declare}
            for r in obj.routes.all()
        ]

    @staticmethod
    def resolve_service(obj: Integration) -> str:
        return obj.service.slug

    @staticmethod
    def resolve_policy(obj: Integration) -> str | None:
        policy = getattr(obj, "policy", None)
        return policy.slug if policy is not None else None

    @staticmethod
    def resolve_heartbeat_interval_seconds(obj: Integration) -> int | None:
        return int(obj.heartbeat_interval.total_seconds()) if obj.heartbeat_interval else None


class CreatedOut(Schema):
    id: int
    key: str
    urls: dict[str, str]


class RotateIn(Schema):
    overlap_hours: float | None = None


class AlertOut(Schema):
    dedup_key: str
    status: str
    labels: dict[str, str]
    started_at: datetime
    ended_at: datetime | None


class GroupOut(Schema):
    id: int
    integration: int
    status: str
    title: str
    alerts: list[AlertOut]
    pages: list[int]
    incident: str | None


class DeclareIn(Schema):
    title: str | None = None
    priority: str | None = None
    take_lead: bool = False


class LinkIn(Schema):
    incident: str


def _actor(request: HttpRequest) -> User:
    # The bearer-token auth has already put a real, active user here or answered 401.
    return cast(User, request.user)


def _require_admin(request: HttpRequest) -> None:
    if not is_admin(request.user):
        raise PermissionDenied("Only admins can manage integrations")


def _fields(data: dict[str, Any]) -> dict[str, Any]:
    if "service" in data:
        found = Service.objects.filter(slug=data["service"]).first()
        if found is None:
            raise ValidationError({"service": f"no service with the short name {data['service']!r}"})
        data["service"] = found
    if "heartbeat_interval_seconds" in data:
        seconds = data.pop("heartbeat_interval_seconds")
        data["heartbeat_interval"] = timedelta(seconds=seconds) if seconds is not None else None
    if "policy" in data:
        data["policy"] = _policy(data["policy"])
    return {
        name: value for name, value in data.items() if not (name in {"grouping", "grouping_labels"} and value is None)
    }


def _policy(slug: str | None) -> Any:
    return paging.policy_named(slug)


def _integration(integration_id: int) -> Integration:
    found = queries.integrations().filter(pk=integration_id).first()
    if found is None:
        raise Http404(f"No integration {integration_id}")
    return found


@router.post("/integrations", response={201: CreatedOut})
def create_integration(request: HttpRequest, payload: IntegrationIn) -> Status[dict[str, Any]]:
    _require_admin(request)
    fields = _fields(payload.dict())
    routes = fields.pop("routes", None)
    with transaction.atomic():
        created = integrations.create_integration(_actor(request), **fields)
        if routes:
            integrations.set_routes(_actor(request), created.integration, routes)
    urls = queries.urls(created.integration, created.key)
    return Status(201, {"id": created.integration.pk, "key": created.key, "urls": urls})


@router.get("/integrations", response=list[IntegrationOut])
def list_integrations(request: HttpRequest) -> list[Integration]:
    return list(queries.integrations())


@router.get("/integrations/{integration_id}", response=IntegrationOut)
def get_integration(request: HttpRequest, integration_id: Id) -> Integration:
    return _integration(integration_id)


@router.patch("/integrations/{integration_id}", response=IntegrationOut)
def update_integration(request: HttpRequest, integration_id: Id, payload: IntegrationPatch) -> Integration:
    _require_admin(request)
    fields = _fields(payload.dict(exclude_unset=True))
    routes = fields.pop("routes", None)
    with transaction.atomic():
        integration = integrations.update_integration(_actor(request), _integration(integration_id), **fields)
        if routes is not None:
            integrations.set_routes(_actor(request), integration, routes)
    return _integration(integration_id)


@router.delete("/integrations/{integration_id}", response={204: None})
def delete_integration(request: HttpRequest, integration_id: Id) -> Status[None]:
    _require_admin(request)
    integrations.delete_integration(_actor(request), _integration(integration_id))
    return Status(204, None)


@router.post("/integrations/{integration_id}/rotate-key", response=CreatedOut)
def rotate_key(request: HttpRequest, integration_id: Id, payload: RotateIn) -> dict[str, Any]:
    _require_admin(request)
    integration = _integration(integration_id)
    overlap = timedelta(hours=payload.overlap_hours) if payload.overlap_hours is not None else None
    key = integrations.rotate_key(_actor(request), integration, overlap=overlap)
    return {"id": integration.pk, "key": key, "urls": queries.urls(integration, key)}


def present(user: User, group: AlertGroup) -> dict[str, Any]:
    """The contract: incident is the reference, or null when there is none or this reader may not see it."""
    incident = group.incident
    return {
        "id": group.pk,
        "integration": group.integration_id,
        "status": group.status,
        "title": group.title,
        "alerts": list(group.alerts.all()),
        "pages": paging.page_ids(group),
        "incident": incident.reference if incident is not None and can_see(user, incident) else None,
    }


@router.get("/alert-groups", response=list[GroupOut])
def list_groups(request: HttpRequest, integration: Id | None = None, status: str | None = None) -> list[dict[str, Any]]:
    if status and status not in {"firing", "acknowledged", "resolved", "open"}:
        raise ValidationError({"status": f"{status!r} is not firing, acknowledged, resolved or open"})
    return [present(_actor(request), g) for g in queries.groups(integration=integration, status=status)[:500]]


def _group(group_id: int) -> AlertGroup:
    found = queries.groups().filter(pk=group_id).first()
    if found is None:
        raise Http404(f"No alert group {group_id}")
    return found


@router.get("/alert-groups/{group_id}", response=GroupOut)
def get_group(request: HttpRequest, group_id: Id) -> dict[str, Any]:
    return present(_actor(request), _group(group_id))


@router.post("/alert-groups/{group_id}/ack", response=GroupOut)
def acknowledge(request: HttpRequest, group_id: Id) -> dict[str, Any]:
    groups.acknowledge_group(_actor(request), _group(group_id), via="api")
    return present(_actor(request), _group(group_id))


@router.post("/alert-groups/{group_id}/resolve", response=GroupOut)
def resolve(request: HttpRequest, group_id: Id) -> dict[str, Any]:
    groups.resolve_group(_actor(request), _group(group_id), via="api")
    return present(_actor(request), _group(group_id))


@router.post("/alert-groups/{group_id}/declare", response={201: GroupOut})
def declare(request: HttpRequest, group_id: Id) -> Status[dict[str, Any]]:
    """The body is optional: one click declares with everything pre-filled from the group."""
    try:
        wants_json = request.content_type == "application/json" and request.body.strip()
        payload = DeclareIn.model_validate_json(request.body) if wants_json else DeclareIn()
    except PydanticError as error:
        raise ValidationError({str(e["loc"][0]) if e["loc"] else "body": e["msg"] for e in error.errors()}) from None
    declaring.declare_from_group(
        _actor(request), _group(group_id), title=payload.title, priority=payload.priority, take_lead=payload.take_lead
    )
    return Status(201, present(_actor(request), _group(group_id)))


@router.post("/alert-groups/{group_id}/link", response=GroupOut)
def link(request: HttpRequest, group_id: Id, payload: LinkIn) -> dict[str, Any]:
    incident = get_incident(request.user, payload.incident)
    declaring.link_group(_actor(request), _group(group_id), incident)
    return present(_actor(request), _group(group_id))

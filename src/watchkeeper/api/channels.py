"""Notification channels, routes and the delivery log. Only admins read or change channels (their targets are
staff addresses, phone numbers and webhook URLs); anyone with a token reads routes and the delivery log of an
incident they can see. Secrets never leave, and URLs in the log show only their scheme and host."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import Router, Schema
from ninja.responses import Status

from watchkeeper.accounts.roles import is_admin
from watchkeeper.api.base import Id, Input
from watchkeeper.catalogue.models import Service
from watchkeeper.incidents.queries import get_incident
from watchkeeper.notifications import queries, services
from watchkeeper.notifications.models import Channel, Delivery, Route

router = Router(tags=["notifications"])


class ChannelIn(Input):
    name: str
    kind: str
    target: str
    secret: str | None = None
    template_id: str = ""
    enabled: bool = True


class ChannelPatch(Input):
    name: str | None = None
    target: str | None = None
    secret: str | None = None
    template_id: str | None = None
    enabled: bool | None = None


class ChannelOut(Schema):
    id: int
    name: str
    kind: str
    target: str
    has_secret: bool
    template_id: str
    enabled: bool

    @staticmethod
    def resolve_has_secret(obj: Channel) -> bool:
        return bool(obj.secret)


class RouteIn(Input):
    channel: int | str
    service: str | None = None
    audience: str = "other"
    priorities: list[str] | None = None
    incident_types: list[str] | None = None
    events: list[str] | None = None
    enabled: bool = True


class RoutePatch(Input):
    channel: int | str | None = None
    service: str | None = None
    audience: str | None = None
    priorities: list[str] | None = None
    incident_types: list[str] | None = None
    events: list[str] | None = None
    enabled: bool | None = None


class RouteOut(Schema):
    id: int
    channel: int
    channel_name: str
    service: str | None
    audience: str
    priorities: list[str]
    incident_types: list[str]
    events: list[str]
    enabled: bool

    @staticmethod
    def resolve_channel(obj: Route) -> int:
        return obj.channel_id

    @staticmethod
    def resolve_channel_name(obj: Route) -> str:
        return obj.channel.name

    @staticmethod
    def resolve_service(obj: Route) -> str | None:
        return obj.service.slug if obj.service else None


class DeliveryOut(Schema):
    id: int
    key: str
    event: str
    channel: str | None
    kind: str
    recipient: str
    status: str
    attempts: int
    last_error: str
    created_at: datetime
    sent_at: datetime | None
    failed_at: datetime | None

    @staticmethod
    def resolve_channel(obj: Delivery) -> str | None:
        return obj.channel.name if obj.channel else None

    @staticmethod
    def resolve_recipient(obj: Delivery) -> str:
        return obj.shown_recipient


def _channel(ref: int | str, field: str = "channel") -> Channel:
    found = queries.channels().filter(**({"pk": ref} if isinstance(ref, int) else {"name": ref})).first()
    if found is None:
        raise ValidationError({field: f"no channel {ref!r}"})
    return found


def _service(slug: str | None) -> Service | None:
    if not slug:
        return None
    found = Service.objects.filter(slug=slug).first()
    if found is None:
        raise ValidationError({"service": f"no service with the short name '{slug}'"})
    return found


def _require_admin(request: HttpRequest) -> None:
    """Checked before looking anything up, so a non-admin learns nothing from a 404 or 422."""
    if not is_admin(request.user):
        raise PermissionDenied("Only admins can see or change notification channels, and change routes")


def _channel_by_id(channel_id: int) -> Channel:
    found = queries.channels().filter(pk=channel_id).first()
    if found is None:
        raise Http404(f"No channel {channel_id}")
    return found


def _route_by_id(route_id: int) -> Route:
    found = queries.routes().filter(pk=route_id).first()
    if found is None:
        raise Http404(f"No route {route_id}")
    return found


@router.get("/channels", response=list[ChannelOut])
def list_channels(request: HttpRequest) -> list[Channel]:
    """Admins only: targets are staff addresses, phone numbers and webhook URLs, nobody else's business."""
    _require_admin(request)
    return list(queries.channels())


@router.post("/channels", response={201: ChannelOut})
def create_channel(request: HttpRequest, payload: ChannelIn) -> Status[Channel]:
    _require_admin(request)
    return Status(201, services.create_channel(request.user, **payload.dict()))


@router.get("/channels/{channel_id}", response=ChannelOut)
def get_channel(request: HttpRequest, channel_id: Id) -> Channel:
    _require_admin(request)
    return _channel_by_id(channel_id)


@router.patch("/channels/{channel_id}", response=ChannelOut)
def update_channel(request: HttpRequest, channel_id: Id, payload: ChannelPatch) -> Channel:
    _require_admin(request)
    # null leaves a field as it is: no channel field can be cleared, and a null name or target would be saved.
    fields = payload.dict(exclude_unset=True, exclude_none=True)
    return services.update_channel(request.user, _channel_by_id(channel_id), **fields)


@router.delete("/channels/{channel_id}", response={204: None})
def delete_channel(request: HttpRequest, channel_id: Id) -> Status[None]:
    _require_admin(request)
    services.delete_channel(request.user, _channel_by_id(channel_id))
    return Status(204, None)


def _route_fields(data: dict[str, Any]) -> dict[str, Any]:
    if "channel" in data:
        data["channel"] = _channel(data["channel"])
    if "service" in data:
        data["service"] = _service(data["service"])
    return data


@router.get("/routes", response=list[RouteOut])
def list_routes(request: HttpRequest) -> list[Route]:
    return list(queries.routes())


@router.post("/routes", response={201: RouteOut})
def create_route(request: HttpRequest, payload: RouteIn) -> Status[Route]:
    _require_admin(request)
    return Status(201, services.create_route(request.user, **_route_fields(payload.dict())))


@router.get("/routes/{route_id}", response=RouteOut)
def get_route(request: HttpRequest, route_id: Id) -> Route:
    return _route_by_id(route_id)


@router.patch("/routes/{route_id}", response=RouteOut)
def update_route(request: HttpRequest, route_id: Id, payload: RoutePatch) -> Route:
    _require_admin(request)
    fields = _route_fields(payload.dict(exclude_unset=True))
    return services.update_route(request.user, _route_by_id(route_id), **fields)


@router.delete("/routes/{route_id}", response={204: None})
def delete_route(request: HttpRequest, route_id: Id) -> Status[None]:
    _require_admin(request)
    services.delete_route(request.user, _route_by_id(route_id))
    return Status(204, None)


@router.get("/incidents/{reference}/deliveries", response=list[DeliveryOut])
def list_deliveries(request: HttpRequest, reference: str) -> list[Delivery]:
    return list(queries.deliveries(get_incident(request.user, reference)))

"""Teams, services and components: anyone with a token reads; admins create."""

from __future__ import annotations

from datetime import time
from typing import TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from watchkeeper.accounts.roles import is_admin
from watchkeeper.api.base import Input
from watchkeeper.catalogue import queries, services
from watchkeeper.catalogue.models import Component, Service, Team

router = Router(tags=["catalogue"])
ModelT = TypeVar("ModelT", bound=Model)


class TeamIn(Input):
    slug: str
    name: str
    email: str = ""


class TeamOut(Schema):
    slug: str
    name: str
    email: str


class ServiceIn(Input):
    slug: str
    name: str
    team: str
    division: str | None = None
    opening: time | None = None
    closing: time | None = None


class ServiceOut(Schema):
    slug: str
    name: str
    team: str
    division: str
    timezone: str
    # Local wall time as HH:MM:SS: JSON Schema's "time" format would demand an offset, which office hours do not have.
    opening: str = Field(pattern=r"^\d{2}:\d{2}:\d{2}$")
    closing: str = Field(pattern=r"^\d{2}:\d{2}:\d{2}$")
    working_days: list[int]

    @staticmethod
    def resolve_opening(obj: Service) -> str:
        return obj.opening.isoformat(timespec="seconds")

    @staticmethod
    def resolve_closing(obj: Service) -> str:
        return obj.closing.isoformat(timespec="seconds")

    @staticmethod
    def resolve_team(obj: Service) -> str:
        return obj.team.slug

    @staticmethod
    def resolve_working_days(obj: Service) -> list[int]:
        return sorted(int(d) for d in obj.working_days.split(",") if d.strip())


class ComponentIn(Input):
    service: str
    slug: str
    name: str
    description: str = ""
    position: int = 0


class ComponentOut(Schema):
    service: str
    slug: str
    name: str
    description: str
    position: int

    @staticmethod
    def resolve_service(obj: Component) -> str:
        return obj.service.slug


def _lookup(model: type[ModelT], slug: str, field: str) -> ModelT:
    """An unknown slug in a request body is invalid input (422), not a missing resource (404)."""
    found = model.objects.filter(slug=slug).first()  # type: ignore[attr-defined]
    if found is None:
        raise ValidationError({field: f"no {field} with the short name '{slug}'"})
    return found  # type: ignore[no-any-return]


def _require_admin(request: HttpRequest) -> None:
    if not is_admin(request.user):
        raise PermissionDenied("Only admins can change the catalogue")


@router.get("/teams", response=list[TeamOut])
def list_teams(request: HttpRequest) -> list[Team]:
    return list(queries.teams())


@router.post("/teams", response={201: TeamOut})
def create_team(request: HttpRequest, payload: TeamIn) -> Status[Team]:
    _require_admin(request)
    return Status(201, services.create_team(**payload.dict()))


@router.get("/services", response=list[ServiceOut])
def list_services(request: HttpRequest) -> list[Service]:
    return list(queries.services())


@router.post("/services", response={201: ServiceOut})
def create_service(request: HttpRequest, payload: ServiceIn) -> Status[Service]:
    _require_admin(request)
    data = payload.dict()
    team = _lookup(Team, data.pop("team"), "team")
    return Status(201, services.create_service(team=team, **data))


@router.get("/components", response=list[ComponentOut])
def list_components(request: HttpRequest, service: str | None = None) -> list[Component]:
    found = queries.components()
    if service:
        found = found.filter(service__slug=service)
    return list(found)


@router.post("/components", response={201: ComponentOut})
def create_component(request: HttpRequest, payload: ComponentIn) -> Status[Component]:
    _require_admin(request)
    data = payload.dict()
    service = _lookup(Service, data.pop("service"), "service")
    return Status(201, services.create_component(service=service, **data))

"""Factories as plain functions: each makes one real row through the same services the app uses."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command

from watchkeeper.accounts.services import create_user
from watchkeeper.alerts.services import integrations
from watchkeeper.catalogue import services as catalogue
from watchkeeper.catalogue.models import Component, Service, Team
from watchkeeper.incidents import services as incidents
from watchkeeper.incidents.models import Incident
from watchkeeper.oncall import services as oncall
from watchkeeper.oncall.models import ContactMethod

_seq = itertools.count(1)
PASSWORD = "correct-horse-battery-staple"


def static_files() -> Iterator[None]:
    """Pages render through the real manifest storage, so a missing asset fails a test instead of production."""
    call_command("collectstatic", "--no-input", verbosity=0)
    yield
    shutil.rmtree(settings.STATIC_ROOT, ignore_errors=True)


def make_user(username: str | None = None, *groups: str, **extra: Any) -> User:
    username = username or f"user{next(_seq)}"
    return create_user(
        username,
        email=extra.get("email", f"{username}@example.gov.uk"),
        groups=groups or ("responder",),
        password=PASSWORD,
    )


def make_team(slug: str | None = None, **fields: Any) -> Team:
    slug = slug or f"team-{next(_seq)}"
    return catalogue.create_team(slug=slug, name=fields.pop("name", slug.replace("-", " ").title()), **fields)


def make_service(slug: str | None = None, team: Team | None = None, **fields: Any) -> Service:
    slug = slug or f"service-{next(_seq)}"
    return catalogue.create_service(
        slug=slug,
        name=fields.pop("name", slug.replace("-", " ").title()),
        team=team or make_team(),
        **fields,
    )


def make_component(service: Service, slug: str | None = None, **fields: Any) -> Component:
    slug = slug or f"component-{next(_seq)}"
    return catalogue.create_component(service=service, slug=slug, name=fields.pop("name", slug.title()), **fields)


__all__ = [
    "PASSWORD",
    "make_component",
    "make_contact",
    "make_incident",
    "make_integration",
    "make_policy",
    "make_schedule",
    "make_service",
    "make_team",
    "make_user",
    "static_files",
]


def make_incident(actor: User | None = None, service: Service | None = None, **fields: Any) -> Incident:
    """Declares through the real service function, so every test incident has its clocks and timeline."""

    return incidents.declare(
        actor or make_user(),
        title=fields.pop("title", "Payments failing"),
        service=service or make_service(),
        **fields,
    )


def make_integration(service: Service | None = None, kind: str = "alertmanager", **fields: Any) -> tuple[Any, str]:
    """An integration and its key (shown once, so the test keeps it), made by an admin through the real service."""

    admin = fields.pop("actor", None) or make_user(None, "admin", "responder")
    created = integrations.create_integration(
        admin, name=fields.pop("name", f"{kind} in"), service=service or make_service(), kind=kind, **fields
    )
    return created.integration, created.key


def make_contact(user: User, kind: str = "sms", address: str = "07700900123", **fields: Any) -> Any:
    position = fields.pop("position", ContactMethod.objects.filter(user=user).count())
    return ContactMethod.objects.create(user=user, kind=kind, address=address, position=position, **fields)


def make_schedule(members: list[User], slug: str | None = None, team: Team | None = None, **layer: Any) -> Any:
    """A one-layer schedule through the real service: weekly turns from Monday 19 October 2026 09:00 by default."""

    slug = slug or f"schedule-{next(_seq)}"
    team = team or make_team()
    spec = {
        "name": "Primary",
        "members": [m.username for m in members],
        "turn": "weekly",
        "turn_length": 1,
        "start": "2026-10-19T09:00:00+01:00",
        **layer,
    }
    return oncall.create_schedule(
        make_user(f"admin-{slug}", "admin"), slug=slug, name=slug.title(), team=team.slug, layers=[spec]
    )


def make_policy(steps: list[dict[str, Any]], slug: str | None = None, team: Team | None = None, repeat: int = 0) -> Any:
    slug = slug or f"policy-{next(_seq)}"
    team = team or make_team()
    return oncall.create_policy(
        make_user(f"admin-{slug}", "admin"), slug=slug, name=slug.title(), team=team.slug, repeat=repeat, steps=steps
    )

"""Demo data for a first look: teams, services, an admin whose password is kept in var/, people and incidents.

`load_demo()` is safe to run twice: each part (the catalogue and admin, then the people and incidents) is loaded
only if it is not there yet. `empty=True` stops after the catalogue and admin.
"""

from __future__ import annotations

import os
import secrets
import string
from datetime import UTC, datetime, time
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction

from watchkeeper.accounts.services import create_user
from watchkeeper.catalogue import services
from watchkeeper.catalogue.models import Service, Team
from watchkeeper.cli.demo import story
from watchkeeper.incidents.models import Incident
from watchkeeper.notifications import services as notifications

DEMO_ADMIN = "admin"
# Who plays which part in the story; they share the admin's password, so each view can be tried.
PEOPLE: list[tuple[str, list[str]]] = [
    ("sam", ["responder"]),
    ("priya", ["responder"]),
    ("tom", ["responder"]),
    ("jo", ["security", "responder"]),
    ("vic", ["viewer"]),
]

TEAMS = [
    ("payments", "Payments team", "payments-team@example.gov.uk"),
    ("notify", "Notify team", "notify-team@example.gov.uk"),
    ("scotland-digital", "Scottish services team", "scottish-services@example.gov.uk"),
]
SERVICES: list[tuple[str, str, str, dict[str, Any], list[str]]] = [
    ("pay-api", "Pay API", "payments", {}, ["Card payments", "Refunds", "Admin tool"]),
    ("notify", "Send notifications", "notify", {}, ["Email sending", "Text messages", "Letters"]),
    (
        "apply-scotland",
        "Apply for a licence (Scotland)",
        "scotland-digital",
        {"division": "scotland", "opening": time(9, 0), "closing": time(17, 0)},
        ["Application form", "Sign in"],
    ),
]


def _gds_routes(admin: User) -> None:
    """The GDS routing rules to email lists; until EMAIL_URL is set the messages are printed by the worker."""
    channels = {
        audience: notifications.create_channel(admin, name=name, kind="email", target=address)
        for audience, name, address in AUDIENCES
    }
    notifications.install_gds_defaults(admin, channels)


AUDIENCES = [
    ("escalation", "Escalation contacts", "escalation@example.gov.uk"),
    ("wider", "Wider audience (#incident)", "incidents@example.gov.uk"),
    ("security", "Cyber security team", "cyber-security@example.gov.uk"),
    ("data_protection", "Data protection officer", "dpo@example.gov.uk"),
]


def _credentials_file() -> str:
    return str(settings.VAR_DIR / "demo-admin.txt")


@transaction.atomic
def load_demo(*, empty: bool = False) -> str:
    """Loads whatever part of the demo is missing and says how to sign in and what to open first."""
    loaded = False
    if not Team.objects.filter(slug=TEAMS[0][0]).exists():
        _catalogue_and_admin()
        loaded = True
    if not empty and not _story_told():
        people = {username: _person(username, groups) for username, groups in PEOPLE}
        slugs = [slug for slug, *_ in SERVICES]
        story.tell(people, {service.slug: service for service in Service.objects.filter(slug__in=slugs)}, _now())
        loaded = True
    return _sign_in_message(reused=not loaded, with_story=_story_told())


def _now() -> datetime:
    return datetime.now(UTC)


def _story_told() -> bool:
    return Incident.objects.filter(idempotency_key__contains=f":{story.KEY_PREFIX}").exists()


def _catalogue_and_admin() -> None:
    teams = {slug: services.create_team(slug=slug, name=name, email=email) for slug, name, email in TEAMS}
    for slug, name, team, calendar, components in SERVICES:
        service = services.create_service(slug=slug, name=name, team=teams[team], **calendar)
        for position, component in enumerate(components):
            services.create_component(
                service=service, slug=component.lower().replace(" ", "-"), name=component, position=position
            )
    # Letters and digits only, so the password copies cleanly from a terminal.
    password = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(16))
    admin = create_user(DEMO_ADMIN, email="admin@example.gov.uk", groups=["admin", "responder"], password=password)
    _gds_routes(admin)
    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    with open(os.open(_credentials_file(), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as handle:
        handle.write(f"{DEMO_ADMIN}\n{password}\n")


def _person(username: str, groups: list[str]) -> User:
    existing = User.objects.filter(username=username).first()
    if existing is not None:
        return existing
    credentials = _credentials()
    # The admin's password, so anyone trying the demo can sign in as each; random if that file has gone.
    password = credentials[1] if credentials else secrets.token_urlsafe(16)
    return create_user(username, email=f"{username}@example.gov.uk", groups=groups, password=password)


def _credentials() -> tuple[str, str] | None:
    try:
        with open(_credentials_file()) as handle:
            username, password = handle.read().split()[:2]
    except (OSError, ValueError):
        return None
    return username, password


def _sign_in_message(*, reused: bool, with_story: bool) -> str:
    credentials = _credentials()
    if credentials is None:
        return "Demo data is already loaded. Sign in with the account you created."
    username, password = credentials
    state = "Demo data is already loaded." if reused else "Demo data loaded."
    message = f"{state} Sign in at {settings.SITE_URL}/ as '{username}' with password '{password}'."
    if with_story:
        message += (
            f"\nFirst open '{story.FIRST_CLICK}' on the dashboard. sam, priya and tom (responders), jo (security) and"
            " vic (viewer) share that password: only jo and admin see the security incident."
        )
    return message

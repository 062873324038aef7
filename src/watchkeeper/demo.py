"""Demo data for a first look: a few teams and services, and an admin whose password is kept in var/."""

from __future__ import annotations

import os
import secrets
import string
from datetime import time
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction

from watchkeeper.accounts.services import create_user
from watchkeeper.catalogue import services
from watchkeeper.catalogue.models import Team
from watchkeeper.notifications import services as notifications

DEMO_ADMIN = "admin"

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
    """Loads the demo once; later runs change nothing and say how to sign in."""
    if Team.objects.filter(slug=TEAMS[0][0]).exists():
        return _sign_in_message(reused=True)
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
    return _sign_in_message(reused=False)


def _sign_in_message(*, reused: bool) -> str:
    try:
        with open(_credentials_file()) as handle:
            username, password = handle.read().split()[:2]
    except (OSError, ValueError):
        return "Demo data is already loaded. Sign in with the account you created."
    state = "Demo data is already loaded." if reused else "Demo data loaded."
    return f"{state} Sign in at {settings.SITE_URL}/ as '{username}' with password '{password}'."

"""The four groups Watchkeeper knows and what each may do."""

from __future__ import annotations

from enum import StrEnum

from django.contrib.auth.models import AnonymousUser, User


class Role(StrEnum):
    VIEWER = "viewer"  # reads incidents that are not restricted
    RESPONDER = "responder"  # declares incidents and acts on them
    ADMIN = "admin"  # configures services, channels and users; sees everything
    SECURITY = "security"  # sees and acts on restricted incidents
    DATA_PROTECTION = "data_protection"  # reads the breach log; told of personal data breaches


def has_role(user: User | AnonymousUser, *roles: Role) -> bool:
    if not user.is_authenticated:
        return False
    if getattr(user, "is_superuser", False):
        return True
    names = {group.name for group in user.groups.all()}
    return bool(names & {role.value for role in roles})


def is_admin(user: User | AnonymousUser) -> bool:
    return has_role(user, Role.ADMIN)


def can_act(user: User | AnonymousUser) -> bool:
    return has_role(user, Role.RESPONDER, Role.ADMIN, Role.SECURITY)

"""Single sign-on with OpenID Connect: users are created on first sign-in and their groups follow a claim."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from watchkeeper.accounts import services
from watchkeeper.accounts.roles import Role


def groups_from_claims(claims: dict[str, Any]) -> list[str]:
    """Watchkeeper groups named in the identity provider's groups claim, or the default group."""
    claimed = claims.get(settings.OIDC_GROUPS_CLAIM) or []
    if isinstance(claimed, str):
        claimed = [claimed]
    known = {role.value for role in Role}
    mapped = [name for name in claimed if name in known]
    return mapped or [settings.OIDC_DEFAULT_GROUP]


class WatchkeeperOIDCBackend(OIDCAuthenticationBackend):  # type: ignore[misc]
    def get_username(self, claims: dict[str, Any]) -> str:
        return str(claims.get("preferred_username") or claims.get("email", "")).split("@")[0][:150]

    @transaction.atomic
    def create_user(self, claims: dict[str, Any]) -> User:
        user = super().create_user(claims)
        return self.update_user(user, claims)

    def update_user(self, user: User, claims: dict[str, Any]) -> User:
        claimed = settings.OIDC_GROUPS_CLAIM in claims
        return services.follow_identity_provider(user, groups_from_claims(claims), claimed=claimed)

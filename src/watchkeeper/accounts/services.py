"""Changes to users and tokens. The CLI and admin call these; nothing else writes the models."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from watchkeeper.accounts.models import ApiToken, digest
from watchkeeper.accounts.roles import Role


@transaction.atomic
def create_user(username: str, *, email: str, groups: Iterable[str], password: str) -> User:
    User = get_user_model()
    roles = list(groups)
    known = ", ".join(role.value for role in Role)
    unknown = sorted(set(roles) - {role.value for role in Role})
    if unknown:
        raise ValidationError(f"unknown group {', '.join(unknown)}: use {known}")
    if not roles:
        raise ValidationError(f"give at least one group: {known}")
    if User.objects.filter(username=username).exists():
        raise ValidationError(f"a user called {username} already exists")
    user = User(username=username, email=email, is_staff=Role.ADMIN.value in roles)
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    # get_or_create, not filter: a flushed or hand-made database may lack the groups the migration made.
    user.groups.set([Group.objects.get_or_create(name=role)[0] for role in roles])
    return user  # type: ignore[return-value]


def create_token(username: str, name: str = "") -> str:
    """Returns the raw token: the only time it exists outside the caller's hands."""
    User = get_user_model()
    try:
        user = User.objects.get(username=username, is_active=True)
    except User.DoesNotExist:
        raise ValidationError(f"no active user called {username}") from None
    raw = ApiToken.new_raw_token()
    ApiToken.objects.create(user=user, name=name, digest=digest(raw), hint=raw[:10])
    return raw


def revoke_token(raw_or_hint: str) -> int:
    """Revokes by the whole token or by the hint shown in listings; returns how many were revoked."""
    tokens = ApiToken.objects.filter(revoked_at__isnull=True)
    matched = tokens.filter(digest=digest(raw_or_hint)) or tokens.filter(hint=raw_or_hint[:10])
    return matched.update(revoked_at=timezone.now())


def user_for_token(raw: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=digest(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user  # type: ignore[return-value]


def system_account(username: str) -> User:
    """An account nobody can sign in to, named as the author of what Watchkeeper does for the server's CLI."""
    account, created = get_user_model().objects.get_or_create(username=username, defaults={"is_active": False})
    if created:
        account.set_unusable_password()
        account.save(update_fields=["password"])
    return account  # type: ignore[no-any-return]


@transaction.atomic
def follow_identity_provider(user: User, groups: Iterable[str], *, claimed: bool) -> User:
    """At each single sign-on the user's groups follow the identity provider's claim, and admins are staff.

    When the provider sent no groups claim (``claimed`` False) a user keeps the groups they have; only one with
    none gets ``groups`` (the default group).
    """
    if claimed or not user.groups.exists():
        user.groups.set(Group.objects.filter(name__in=list(groups)))
    user.is_staff = user.groups.filter(name=Role.ADMIN.value).exists()
    user.save(update_fields=["is_staff"])
    return user

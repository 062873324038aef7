"""Single sign-on: users made on first sign-in get their Watchkeeper groups from the identity provider's claim."""

from __future__ import annotations

import pytest

from watchkeeper.accounts.oidc import WatchkeeperOIDCBackend, groups_from_claims
from watchkeeper.accounts.roles import Role, has_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def backend(settings) -> WatchkeeperOIDCBackend:
    settings.OIDC_RP_CLIENT_ID = "watchkeeper"
    settings.OIDC_RP_CLIENT_SECRET = "secret"
    settings.OIDC_OP_TOKEN_ENDPOINT = "http://127.0.0.1:1/token"
    settings.OIDC_OP_USER_ENDPOINT = "http://127.0.0.1:1/userinfo"
    settings.OIDC_RP_SIGN_ALGO = "HS256"
    return WatchkeeperOIDCBackend()


def test_unknown_groups_fall_back_to_the_default(settings) -> None:
    settings.OIDC_DEFAULT_GROUP = "viewer"
    assert groups_from_claims({"groups": ["payments-devs", "responder"]}) == ["responder"]
    assert groups_from_claims({"groups": "security"}) == ["security"]
    assert groups_from_claims({"groups": ["payments-devs"]}) == ["viewer"]
    assert groups_from_claims({}) == ["viewer"]


def test_first_sign_in_creates_the_user_with_claimed_groups(backend: WatchkeeperOIDCBackend) -> None:
    user = backend.create_user({"email": "ada@example.gov.uk", "preferred_username": "ada", "groups": ["admin"]})
    assert user.username == "ada"
    assert has_role(user, Role.ADMIN)
    assert user.is_staff


def test_groups_follow_the_claim_on_later_sign_ins(backend: WatchkeeperOIDCBackend) -> None:
    user = backend.create_user({"email": "bob@example.gov.uk", "groups": ["responder"]})
    assert user.username == "bob"
    backend.update_user(user, {"email": "bob@example.gov.uk", "groups": ["viewer"]})
    assert list(user.groups.values_list("name", flat=True)) == ["viewer"]
    assert not has_role(user, Role.RESPONDER)

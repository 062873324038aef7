"""Sign-in locks out a username, and an address, after too many wrong passwords, with a clear message."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db
START = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    # Real hashing is tested by Django; here it would make each of the many attempts slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def sign_in(client: Client, username: str, password: str, address: str = "192.0.2.1") -> Any:
    return client.post("/sign-in", {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_ten_wrong_passwords_lock_the_user_out_even_with_the_right_one(client: Client, settings: Any) -> None:
    make_user("ada")
    with time_machine.travel(START, tick=False) as clock:
        for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
            # Each from a new address: the lock is on the username, not only on where the guesses come from.
            assert sign_in(client, "ada", "wrong", f"198.51.100.{attempt}").status_code == 200
        assert sign_in(client, "ada", "wrong", "198.51.100.99").status_code == 429
        response = sign_in(client, "ada", PASSWORD, "203.0.113.9")
        assert response.status_code == 429
        assert b"Too many failed sign-in attempts. You cannot sign in for 15 minutes" in response.content
        assert b"govuk-error-summary" in response.content
        assert not signed_in(client)
        clock.move_to(START + timedelta(minutes=16))
        assert sign_in(client, "ada", PASSWORD, "203.0.113.9").status_code == 302
        assert signed_in(client)


def test_many_usernames_from_one_address_lock_that_address(client: Client, settings: Any) -> None:
    make_user("bob")
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, f"guess{attempt}", "wrong", "192.0.2.50")
    assert sign_in(client, "bob", PASSWORD, "192.0.2.50").status_code == 429
    assert not signed_in(client)
    # Someone else, elsewhere, is not affected.
    assert sign_in(client, "bob", PASSWORD, "192.0.2.51").status_code == 302


def test_the_test_client_login_still_works(client: Client) -> None:
    make_user("cat")
    assert client.login(username="cat", password=PASSWORD)

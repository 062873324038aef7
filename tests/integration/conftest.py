from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.factories import static_files


@pytest.fixture(scope="session", autouse=True)
def _collected_static() -> Iterator[None]:
    yield from static_files()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # Real hashing is tested by Django; here it would only make every factory-made user slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

"""Channel secrets: encrypted at rest with Fernet, or a reference to an environment variable read when sending."""

from __future__ import annotations

import base64
import functools
import hashlib
import os

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

ENV_PREFIX = "env:"


def _key() -> bytes:
    if key := settings.WATCHKEEPER_ENCRYPTION_KEY:
        return key.encode()
    # Derived, so one machine needs no extra setting; a separate key lets SECRET_KEY rotate.
    digest = hashlib.sha256(f"watchkeeper-channel-secrets:{settings.SECRET_KEY}".encode()).digest()
    return base64.urlsafe_b64encode(digest)


@functools.lru_cache(maxsize=1024)
def _decrypted(key: bytes, stored: str) -> str:
    """Every delivery reveals its channel's secret, and the same few tokens come round again and again: each is
    decrypted once per key (a new secret is a new token, a new key a new entry). A token that fails is not kept."""
    return Fernet(key).decrypt(stored.encode()).decode()


def seal(plain: str) -> str:
    """What to store: an env reference as given, anything else encrypted."""
    if not plain or plain.startswith(ENV_PREFIX):
        return plain
    return Fernet(_key()).encrypt(plain.encode()).decode()


def reveal(stored: str) -> str:
    if not stored:
        return ""
    if stored.startswith(ENV_PREFIX):
        name = stored[len(ENV_PREFIX) :]
        value = os.environ.get(name)
        if value is None:
            raise ImproperlyConfigured(f"the channel secret refers to {name}, which is not set")
        return value
    try:
        return _decrypted(_key(), stored)
    except InvalidToken:
        raise ImproperlyConfigured(
            "a channel secret cannot be decrypted: WATCHKEEPER_ENCRYPTION_KEY or SECRET_KEY changed"
        ) from None

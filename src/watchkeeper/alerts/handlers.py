"""What alerts does when other apps' events fire."""

from __future__ import annotations


def connect() -> None:
    return None

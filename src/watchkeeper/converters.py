"""A path converter for database ids: at most 18 digits, so a huge number is a 404, not an overflow (500)."""

from __future__ import annotations

from django.urls import register_converter


class IdConverter:
    # 18 digits always fit a signed 64-bit integer, the largest id SQLite and PostgreSQL keep.
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


def register() -> None:
    register_converter(IdConverter, "id")

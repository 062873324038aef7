"""The Django admin as a window, not a door."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


class ReadOnlyAdmin:
    """Lets the admin list and show rows but never add, change or delete them.

    Every change must go through the app's services, which validate the whole record, write the incident's
    timeline and notify whoever follows it; a row edited here would skip all three. Mix it in before
    ``admin.ModelAdmin`` or an inline class.
    """

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

"""Read-only admin for incidents: every change goes through incidents.services, so the timeline,
the clocks and the events can never be skipped by editing a row here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from watchkeeper.incidents.models import ChecklistTick, Incident, Responder, TimelineEntry


class ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ResponderInline(ReadOnly, admin.TabularInline):
    model = Responder
    extra = 0


class ChecklistInline(ReadOnly, admin.TabularInline):
    model = ChecklistTick
    extra = 0


class TimelineInline(ReadOnly, admin.TabularInline):
    model = TimelineEntry
    extra = 0
    fields = ["at", "author", "kind", "public", "text"]


@admin.register(Incident)
class IncidentAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["reference", "title", "service", "priority", "status", "restricted", "declared_at"]
    list_filter = ["status", "priority", "restricted", "service"]
    search_fields = ["reference", "title"]
    date_hierarchy = "declared_at"
    inlines = [ResponderInline, ChecklistInline, TimelineInline]

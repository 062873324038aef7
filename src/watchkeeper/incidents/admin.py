"""Read-only admin for incidents: every change goes through incidents.services, so the timeline,
the clocks and the events can never be skipped by editing a row here."""

from __future__ import annotations

from django.contrib import admin

from watchkeeper.incidents.models import ChecklistTick, Incident, Responder, TimelineEntry
from watchkeeper.web.read_only_admin import ReadOnlyAdmin


class ResponderInline(ReadOnlyAdmin, admin.TabularInline):
    model = Responder
    extra = 0


class ChecklistInline(ReadOnlyAdmin, admin.TabularInline):
    model = ChecklistTick
    extra = 0


class TimelineInline(ReadOnlyAdmin, admin.TabularInline):
    model = TimelineEntry
    extra = 0
    fields = ["at", "author", "kind", "public", "text"]


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["reference", "title", "service", "priority", "status", "restricted", "declared_at"]
    list_filter = ["status", "priority", "restricted", "service"]
    search_fields = ["reference", "title"]
    date_hierarchy = "declared_at"
    inlines = [ResponderInline, ChecklistInline, TimelineInline]

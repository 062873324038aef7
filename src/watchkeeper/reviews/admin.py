"""Read-only in the admin: every change goes through reviews.services, so the timeline stays complete."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from watchkeeper.reviews.models import Action, Report, ReportTemplate, Review


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Report)
class ReportAdmin(ReadOnly):
    list_display = ["incident", "publishable", "updated_at"]


@admin.register(Review)
class ReviewAdmin(ReadOnly):
    list_display = ["incident", "proposed_for", "held_at", "root_cause_category", "waived_at"]
    list_filter = ["root_cause_category"]


@admin.register(Action)
class ActionAdmin(ReadOnly):
    list_display = ["incident", "title", "owner", "due_at", "status"]
    list_filter = ["status"]


@admin.register(ReportTemplate)
class ReportTemplateAdmin(ReadOnly):
    list_display = ["team", "updated_at", "updated_by"]

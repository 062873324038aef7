"""Read-only in the admin: every change goes through reviews.services, so the timeline stays complete."""

from django.contrib import admin

from watchkeeper.reviews.models import Action, Report, ReportTemplate, Review
from watchkeeper.web.read_only_admin import ReadOnlyAdmin


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["incident", "publishable", "updated_at"]


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["incident", "proposed_for", "held_at", "root_cause_category", "waived_at"]
    list_filter = ["root_cause_category"]


@admin.register(Action)
class ActionAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["incident", "title", "owner", "due_at", "status"]
    list_filter = ["status"]


@admin.register(ReportTemplate)
class ReportTemplateAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["team", "updated_at", "updated_by"]

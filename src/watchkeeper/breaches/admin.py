"""Read-only admin views: changes go through breaches.services so they reach the timeline."""

from __future__ import annotations

from django.contrib import admin

from watchkeeper.breaches.models import Breach, BreachDecision, EvidenceDownload, EvidenceFile
from watchkeeper.web.read_only_admin import ReadOnlyAdmin


@admin.register(Breach)
class BreachAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["incident", "aware_at", "ico_deadline", "risk", "report_to_ico", "reported_to_ico_at"]


@admin.register(BreachDecision)
class BreachDecisionAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["incident", "kind", "decision", "at", "by"]


@admin.register(EvidenceFile)
class EvidenceFileAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["incident", "name", "size", "sha256", "uploaded_by", "uploaded_at"]
    exclude = ["file"]  # the file leaves only through the logged download view


@admin.register(EvidenceDownload)
class EvidenceDownloadAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["file", "by", "at"]

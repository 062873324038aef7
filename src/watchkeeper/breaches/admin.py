"""Read-only admin views: changes go through breaches.services so they reach the timeline."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from watchkeeper.breaches.models import Breach, BreachDecision, EvidenceDownload, EvidenceFile


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Breach)
class BreachAdmin(ReadOnly):
    list_display = ["incident", "aware_at", "ico_deadline", "risk", "report_to_ico", "reported_to_ico_at"]


@admin.register(BreachDecision)
class BreachDecisionAdmin(ReadOnly):
    list_display = ["incident", "kind", "decision", "at", "by"]


@admin.register(EvidenceFile)
class EvidenceFileAdmin(ReadOnly):
    list_display = ["incident", "name", "size", "sha256", "uploaded_by", "uploaded_at"]
    exclude = ["file"]  # the file leaves only through the logged download view


@admin.register(EvidenceDownload)
class EvidenceDownloadAdmin(ReadOnly):
    list_display = ["file", "by", "at"]

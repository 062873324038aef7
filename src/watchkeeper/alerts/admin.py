"""Read-only admin for alerts: integrations and their keys change in the app, which shows a key once; alert groups
change through alerts.services, which page and declare."""

from django.contrib import admin

from watchkeeper.alerts.models import AlertGroup, Integration
from watchkeeper.web.read_only_admin import ReadOnlyAdmin


@admin.register(Integration)
class IntegrationAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["name", "kind", "service", "refusals", "dropped"]
    exclude = ["key_digest", "previous_key_digest"]


@admin.register(AlertGroup)
class AlertGroupAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["title", "integration", "status", "opened_at"]

from django.contrib import admin

from watchkeeper.alerts.models import AlertGroup, Integration


@admin.register(Integration)
class IntegrationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "service", "refusals", "dropped"]
    # Keys are created and rotated in the app, which shows them once; here integrations are only looked at.
    exclude = ["key_digest", "previous_key_digest"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(AlertGroup)
class AlertGroupAdmin(admin.ModelAdmin):
    list_display = ["title", "integration", "status", "opened_at"]

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

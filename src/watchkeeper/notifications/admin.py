from django.contrib import admin

from watchkeeper.notifications.models import Channel, Delivery, Route


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "target", "enabled"]
    # Channels are changed in the app, which validates them and encrypts secrets; here they are only looked at.
    exclude = ["secret", "next_slot_at"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Route)
class RouteAdmin(admin.ModelAdmin):
    list_display = ["id", "channel", "service", "audience", "enabled"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "incident", "event", "kind", "recipient", "status", "attempts"]
    list_filter = ["status", "kind"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        # The log is a record of what happened; only the delivery task changes it.
        return False

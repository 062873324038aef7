"""Read-only admin for notifications: channels, routes and the delivery log change through notifications.services,
which validate them, encrypt secrets and record what was sent."""

from django.contrib import admin

from watchkeeper.notifications.models import Channel, Delivery, Route
from watchkeeper.web.read_only_admin import ReadOnlyAdmin


@admin.register(Channel)
class ChannelAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["name", "kind", "target", "enabled"]
    exclude = ["secret", "next_slot_at"]


@admin.register(Route)
class RouteAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["id", "channel", "service", "audience", "enabled"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["created_at", "incident", "event", "kind", "recipient", "status", "attempts"]
    list_filter = ["status", "kind"]

"""Read-only admin for the status page: changes go through statuspage.services so snapshots, statuses and
notifications follow."""

from django.contrib import admin

from watchkeeper.statuspage.models import PublicIncident, PublicUpdate, StatusPeriod, Subscriber, SubscriberMessage
from watchkeeper.web.read_only_admin import ReadOnlyAdmin


@admin.register(PublicIncident)
class PublicIncidentAdmin(ReadOnlyAdmin, admin.ModelAdmin[PublicIncident]):
    list_display = ["name", "kind", "status", "impact", "started_at", "resolved_at"]
    list_filter = ["kind", "status"]


@admin.register(PublicUpdate)
class PublicUpdateAdmin(ReadOnlyAdmin, admin.ModelAdmin[PublicUpdate]):
    list_display = ["public_incident", "status", "display_at", "notify"]


@admin.register(StatusPeriod)
class StatusPeriodAdmin(ReadOnlyAdmin, admin.ModelAdmin[StatusPeriod]):
    list_display = ["component", "status", "started_at", "ended_at"]
    list_filter = ["status"]


@admin.register(Subscriber)
class SubscriberAdmin(ReadOnlyAdmin, admin.ModelAdmin[Subscriber]):
    list_display = ["email", "confirmed_at", "all_components"]
    search_fields = ["email"]


@admin.register(SubscriberMessage)
class DeliveryAdmin(ReadOnlyAdmin, admin.ModelAdmin[SubscriberMessage]):
    list_display = ["update", "subscriber", "medium", "purpose", "state", "sent_at"]
    list_filter = ["state", "medium", "purpose"]

from django.contrib import admin

from watchkeeper.statuspage.models import Delivery, PublicIncident, PublicUpdate, StatusPeriod, Subscriber


@admin.register(PublicIncident)
class PublicIncidentAdmin(admin.ModelAdmin[PublicIncident]):
    list_display = ["name", "kind", "status", "impact", "started_at", "resolved_at"]
    list_filter = ["kind", "status"]
    # Changes go through statuspage.services so snapshots, statuses and notifications follow.
    readonly_fields = [f.name for f in PublicIncident._meta.fields]


@admin.register(PublicUpdate)
class PublicUpdateAdmin(admin.ModelAdmin[PublicUpdate]):
    list_display = ["public_incident", "status", "display_at", "notify"]
    readonly_fields = [f.name for f in PublicUpdate._meta.fields]


@admin.register(StatusPeriod)
class StatusPeriodAdmin(admin.ModelAdmin[StatusPeriod]):
    list_display = ["component", "status", "started_at", "ended_at"]
    list_filter = ["status"]


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin[Subscriber]):
    list_display = ["email", "confirmed_at", "all_components"]
    search_fields = ["email"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin[Delivery]):
    list_display = ["update", "subscriber", "channel", "purpose", "state", "sent_at"]
    list_filter = ["state", "channel", "purpose"]

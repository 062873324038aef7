from django.contrib import admin

from watchkeeper.slackapp.models import ChannelPolicy, IncidentChannel, SlackUser


@admin.register(ChannelPolicy)
class ChannelPolicyAdmin(admin.ModelAdmin):
    list_display = ["service", "create_channels"]


@admin.register(IncidentChannel)
class IncidentChannelAdmin(admin.ModelAdmin):
    list_display = ["incident", "name", "channel_id", "archived"]
    readonly_fields = ["incident", "channel_id", "name", "summary_ts"]


@admin.register(SlackUser)
class SlackUserAdmin(admin.ModelAdmin):
    list_display = ["slack_id", "email", "user", "checked_at"]

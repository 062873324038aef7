"""Read-only admin for the Slack app: channel policies change on their page, the rest only as Slack work runs."""

from django.contrib import admin

from watchkeeper.slackapp.models import ChannelPolicy, IncidentChannel, SlackUser
from watchkeeper.web.read_only_admin import ReadOnlyAdmin


@admin.register(ChannelPolicy)
class ChannelPolicyAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["service", "create_channels", "invite"]


@admin.register(IncidentChannel)
class IncidentChannelAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["incident", "name", "channel_id", "archived"]


@admin.register(SlackUser)
class SlackUserAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["slack_id", "email", "user", "checked_at"]

"""What the Slack app remembers: who is who in Slack, which services want incident channels, and those channels."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from watchkeeper.catalogue.models import Service
from watchkeeper.incidents.models import Incident


class SlackUser(models.Model):
    """A Slack member matched to a Watchkeeper user by email, so each request need not ask Slack again."""

    slack_id = models.CharField(max_length=32, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField()
    checked_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.slack_id} = {self.email}"


class ChannelPolicy(models.Model):
    """A service that wants a Slack channel of its own for each incident (off unless a row says so)."""

    service = models.OneToOneField(Service, on_delete=models.CASCADE, related_name="slack_policy")
    create_channels = models.BooleanField(default=True)
    invite = models.CharField(
        max_length=500, blank=True, help_text="Slack member IDs invited to every channel, separated by commas."
    )

    class Meta:
        verbose_name_plural = "channel policies"

    def __str__(self) -> str:
        return f"{self.service}: {'channels' if self.create_channels else 'no channels'}"


class IncidentChannel(models.Model):
    """The channel made for one incident and the pinned summary kept current in it."""

    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="slack_channel")
    channel_id = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=80)
    summary_ts = models.CharField(max_length=32, blank=True)
    archived = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.incident_id}: #{self.name}"


class SeenRequest(models.Model):
    """A signed Slack request already handled: the same signature again inside Bolt's 5-minute window is a replay."""

    signature = models.CharField(max_length=100, unique=True)
    received_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.signature[:16]}… at {self.received_at:%H:%M:%S}"

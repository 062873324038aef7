"""Channels (where messages go), routes (which events go where) and deliveries (one message, one recipient)."""

from __future__ import annotations

from django.db import models

from watchkeeper.catalogue.models import Service
from watchkeeper.domain import routing
from watchkeeper.incidents.models import Incident
from watchkeeper.notifications.channels import scrub


class Kind(models.TextChoices):
    SLACK = "slack", "Slack (bot token)"
    SLACK_WEBHOOK = "slack_webhook", "Slack incoming webhook"
    TEAMS = "teams", "Microsoft Teams webhook"
    EMAIL = "email", "Email"
    NOTIFY_EMAIL = "notify_email", "GOV.UK Notify email"
    NOTIFY_SMS = "notify_sms", "GOV.UK Notify text message"
    WEBHOOK = "webhook", "Webhook"
    # Not a place but a rota: each message goes to whoever the schedule (the target) says is on call then.
    ONCALL = "oncall", "Whoever is on call on a schedule"


class Audience(models.TextChoices):
    """Who a route reaches (domain/routing.py names them), with the words people see."""

    TEAM = routing.Audience.TEAM.value, "The service's team"
    SECURITY = routing.Audience.SECURITY.value, "Cyber security contacts"
    DATA_PROTECTION = routing.Audience.DATA_PROTECTION.value, "Data protection contacts"
    ESCALATION = routing.Audience.ESCALATION.value, "Escalation contacts"
    WIDER = routing.Audience.WIDER.value, "Wider audience"
    OTHER = routing.Audience.OTHER.value, "Other"


class Channel(models.Model):
    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    target = models.CharField(max_length=500, help_text="Slack channel, address, phone number or URL.")
    # Fernet token, or "env:NAME" read when sending; never shown once saved.
    secret = models.TextField(blank=True)
    template_id = models.CharField(max_length=64, blank=True, help_text="GOV.UK Notify template ID.")
    enabled = models.BooleanField(default=True)
    # Rate limiting: the earliest instant the next message may go out on this channel.
    next_slot_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Route(models.Model):
    """An empty filter list matches everything."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="routes")
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.CASCADE, related_name="routes")
    audience = models.CharField(max_length=16, choices=Audience.choices, default=Audience.OTHER)
    priorities = models.JSONField(default=list, blank=True)
    incident_types = models.JSONField(default=list, blank=True)
    events = models.JSONField(default=list, blank=True)
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.audience} → {self.channel_id}"


class Status(models.TextChoices):
    PENDING = "pending", "Waiting"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class Delivery(models.Model):
    """One message to one recipient; the idempotency key makes a second row for the same thing impossible."""

    key = models.CharField(max_length=64, unique=True)
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=64)
    # No channel: a message to one person (a reminder to the comms lead) by email.
    channel = models.ForeignKey(Channel, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    recipient = models.CharField(max_length=500)
    audience = models.CharField(max_length=16, choices=Audience.choices, blank=True)
    payload = models.JSONField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    not_before = models.DateTimeField(null=True, blank=True, help_text="A rate-limit slot reserved for this message.")
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    external_id = models.CharField(max_length=200, blank=True, help_text="The receiver's id for the message.")

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "deliveries"
        indexes = [models.Index(fields=["incident", "created_at"])]

    def __str__(self) -> str:
        return f"{self.event} → {self.shown_recipient} ({self.status})"

    @property
    def shown_recipient(self) -> str:
        """A webhook's URL may carry its own token: anyone who reads the log sees only its scheme and host."""

        return scrub(self.recipient)


class Thread(models.Model):
    """The first message about an incident on a channel, so later ones reply to it and it can be kept current."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="threads")
    conversation = models.CharField(max_length=100)
    ref = models.CharField(max_length=100)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["incident", "channel"], name="one_thread_per_channel")]

    def __str__(self) -> str:
        return f"{self.incident_id} on {self.channel_id}"

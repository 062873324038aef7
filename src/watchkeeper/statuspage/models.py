"""What the public sees: component statuses and their history, public incidents and maintenance, subscribers."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

from watchkeeper.catalogue.models import Component
from watchkeeper.incidents.models import Incident
from watchkeeper.statuspage.vocabulary import (
    STATUS_LABELS,
    ComponentStatus,
    Impact,
    IncidentStatus,
    MaintenanceStatus,
)

COMPONENT_STATUS_CHOICES = [(s.value, s.label) for s in ComponentStatus]
PUBLIC_STATUS_CHOICES = [(s.value, STATUS_LABELS[s.value]) for s in [*IncidentStatus, *MaintenanceStatus]]
IMPACT_CHOICES = [(i.value, i.value.capitalize()) for i in Impact]


class StatusPeriod(models.Model):
    """A stretch of time a component spent in one status; the open one (no end) is its status now."""

    component = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="status_periods")
    status = models.CharField(max_length=32, choices=COMPONENT_STATUS_CHOICES)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["component", "started_at", "id"]
        indexes = [models.Index(fields=["component", "ended_at"]), models.Index(fields=["started_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["component"], condition=models.Q(ended_at__isnull=True), name="one_open_period_per_component"
            )
        ]

    def __str__(self) -> str:
        return f"{self.component_id} {self.status} from {self.started_at:%Y-%m-%d %H:%M}"


class PublicIncident(models.Model):
    """An incident or a scheduled maintenance as the public sees it, in the comms lead's words."""

    class Kind(models.TextChoices):
        INCIDENT = "incident", "Incident"
        MAINTENANCE = "maintenance", "Scheduled maintenance"

    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.INCIDENT)
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.PROTECT, related_name="public_incidents"
    )
    name = models.CharField(max_length=200, help_text="Named by its effect on users, in plain English.")
    status = models.CharField(max_length=16, choices=PUBLIC_STATUS_CHOICES)
    impact = models.CharField(max_length=16, choices=IMPACT_CHOICES, default=Impact.NONE.value)
    impact_override = models.CharField(max_length=16, choices=IMPACT_CHOICES, blank=True)
    components = models.ManyToManyField(Component, blank=True, related_name="public_incidents")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    started_at = models.DateTimeField()
    monitoring_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    scheduled_for = models.DateTimeField(null=True, blank=True)
    scheduled_until = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["kind", "status"]), models.Index(fields=["resolved_at"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    @property
    def is_maintenance(self) -> bool:
        return self.kind == self.Kind.MAINTENANCE

    @property
    def frozen(self) -> bool:
        """Its incident became (or was) restricted: nothing more is posted without an admin confirming."""
        return self.incident is not None and self.incident.restricted


class PublicUpdate(models.Model):
    """One post on a public incident. Backfilled posts (displayed in the past) notify nobody."""

    public_incident = models.ForeignKey(PublicIncident, on_delete=models.CASCADE, related_name="updates")
    status = models.CharField(max_length=16, choices=PUBLIC_STATUS_CHOICES)
    body = models.TextField()
    created_at = models.DateTimeField()
    display_at = models.DateTimeField()
    notify = models.BooleanField(default=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        ordering = ["-display_at", "-id"]

    def __str__(self) -> str:
        return f"{self.public_incident_id} {self.status} at {self.display_at:%Y-%m-%d %H:%M}"


class AffectedComponent(models.Model):
    """A component an update touched, with the status it moved from and to."""

    update = models.ForeignKey(PublicUpdate, on_delete=models.CASCADE, related_name="affected")
    component = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="+")
    old_status = models.CharField(max_length=32, choices=COMPONENT_STATUS_CHOICES)
    new_status = models.CharField(max_length=32, choices=COMPONENT_STATUS_CHOICES)

    class Meta:
        ordering = ["component__position", "id"]

    def __str__(self) -> str:
        return f"{self.component_id}: {self.old_status} to {self.new_status}"


class Subscriber(models.Model):
    """Someone who asked for updates, by email, webhook or text message. Unconfirmed rows receive nothing but the
    confirmation; a webhook subscriber confirms and manages through its email address, as on Statuspage; a text
    message subscriber confirms with a code sent to the phone and has no email address."""

    class Medium(models.TextChoices):
        EMAIL = "email", "Email"
        WEBHOOK = "webhook", "Webhook"
        SMS = "sms", "Text message"

    medium = models.CharField(max_length=16, choices=Medium.choices, default=Medium.EMAIL)
    email = models.EmailField(blank=True)
    # E.164, for example +447700900123; only for text message subscribers.
    phone = models.CharField(max_length=16, blank=True)
    # The pending confirmation code, sealed by notifications.sealing (the send task needs it back), and when
    # it was sent and how many wrong guesses it has had: it expires, and a few wrong guesses void it.
    code = models.TextField(blank=True)
    code_sent_at = models.DateTimeField(null=True, blank=True)
    code_failures = models.PositiveSmallIntegerField(default=0)
    endpoint = models.URLField(blank=True, max_length=500)
    # Standard Webhooks signing secret, encrypted at rest by notifications.sealing.
    secret = models.TextField(blank=True)
    all_components = models.BooleanField(default=True)
    components = models.ManyToManyField(Component, blank=True, related_name="subscribers")
    created_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # A new token secret invalidates every link sent before, for example after an unsubscribe and a re-subscribe.
    token_version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["email", "id"]
        constraints = [
            models.UniqueConstraint(fields=["email"], condition=models.Q(medium="email"), name="one_email_subscriber"),
            models.UniqueConstraint(
                fields=["email", "endpoint"], condition=models.Q(medium="webhook"), name="one_webhook_per_endpoint"
            ),
            models.UniqueConstraint(fields=["phone"], condition=models.Q(medium="sms"), name="one_sms_subscriber"),
        ]

    def __str__(self) -> str:
        return self.endpoint or self.email or self.phone

    @property
    def address(self) -> str:
        """Where confirmation goes, and what the sign-up limits and signed links are keyed on."""
        return self.phone if self.medium == self.Medium.SMS else self.email


class SignupAttempt(models.Model):
    """Recent sign-ups by IP address and by a hash of the address, to limit abuse without a CAPTCHA."""

    ip = models.GenericIPAddressField(null=True, blank=True)
    address_hash = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["ip", "at"]), models.Index(fields=["address_hash", "at"])]

    def __str__(self) -> str:
        return f"{self.ip} at {self.at:%Y-%m-%d %H:%M}"


class SubscriberMessage(models.Model):
    """One (update, subscriber, medium): unique, and claimed before sending, so nobody gets a message twice."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    class Purpose(models.TextChoices):
        UPDATE = "update", "Update"
        REMINDER = "reminder", "Reminder before maintenance"

    update = models.ForeignKey(PublicUpdate, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    medium = models.CharField(max_length=16, default="email")
    purpose = models.CharField(max_length=16, choices=Purpose.choices, default=Purpose.UPDATE)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["update", "subscriber", "medium", "purpose"], name="one_delivery_per_update"
            )
        ]
        indexes = [models.Index(fields=["update", "state"])]

    def __str__(self) -> str:
        return f"{self.update_id} to {self.subscriber_id} by {self.medium}: {self.state}"


class NightlyRefresh(models.Model):
    """The queued re-render just after local midnight; unique, so however many publishes race, one is queued."""

    run_after = models.DateTimeField(unique=True)

    def __str__(self) -> str:
        return f"snapshot refresh at {self.run_after:%Y-%m-%d %H:%M}"


class SnapshotBlob(models.Model):
    """One rendered file, stored once by its SHA-256: a new version that leaves a page unchanged stores nothing new."""

    digest = models.CharField(max_length=64, primary_key=True)
    content = models.BinaryField()

    def __str__(self) -> str:
        return self.digest


class SnapshotVersion(models.Model):
    """One published state of the whole snapshot: every file name with the digest of its content.

    Numbers only grow; every web node serves the highest one it has fetched and copies it to its own disk. The
    writer numbers each version from the head row it holds locked, not from a sequence: a sequence skips numbers
    on every rolled-back transaction, so the numbers would not say how many versions there were.
    """

    number = models.BigIntegerField(primary_key=True)
    created_at = models.DateTimeField()
    digest = models.CharField(max_length=64, help_text="SHA-256 of the manifest, so an unchanged render adds nothing")
    files = models.JSONField(help_text="File name to blob digest")

    class Meta:
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"snapshot {self.number}"


def new_epoch() -> str:
    return secrets.token_hex(8)


class SnapshotHead(models.Model):
    """A single row naming the current version: what each node polls (one indexed read), and the writers' lock.

    The epoch names this database's line of versions, so a node whose folder came from another database (a restored
    backup, a test) replaces it rather than trusting a higher number.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    epoch = models.CharField(max_length=32, default=new_epoch)
    version = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"head at {self.version}"

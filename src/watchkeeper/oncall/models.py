"""Schedules (layers of rotations, overrides, swaps), escalation policies, pages and the notifications they send."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models

from watchkeeper.catalogue.models import PRIORITY_CHOICES, Service, Team
from watchkeeper.incidents.models import Incident
from watchkeeper.notifications.models import Channel

USER = settings.AUTH_USER_MODEL


def new_token() -> str:
    return secrets.token_urlsafe(24)


class ContactKind(models.TextChoices):
    SMS = "sms", "Text message (GOV.UK Notify)"
    EMAIL = "email", "Email"
    SLACK = "slack", "Slack direct message"
    VOICE = "voice", "Voice call"


class ContactMethod(models.Model):
    """One way to reach a person; a page tries each in the person's order, after its delay."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="contact_methods")
    kind = models.CharField(max_length=8, choices=ContactKind.choices)
    address = models.CharField(max_length=200, help_text="Phone number, email address or Slack member ID.")
    position = models.PositiveIntegerField(default=0)
    delay_minutes = models.PositiveIntegerField(default=0)
    # Cleared when a send fails permanently, so the nightly check can tell the team's admins.
    working = models.BooleanField(default=True)

    class Meta:
        ordering = ["user", "position", "id"]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind} {self.address}"


class Schedule(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="schedules")
    time_zone = models.CharField(max_length=64, default="Europe/London")
    ical_token = models.CharField(max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Layer(models.Model):
    """One rotation; layers are kept lowest first, and a higher one wins where it has someone."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="layers")
    position = models.PositiveIntegerField()
    name = models.CharField(max_length=100)
    turn = models.CharField(max_length=8, choices=[("hourly", "hourly"), ("daily", "daily"), ("weekly", "weekly")])
    turn_length = models.PositiveIntegerField(default=1)
    # Its wall-clock time in the schedule's zone is the handoff time on every turn.
    start = models.DateTimeField()
    restrict_to = models.CharField(
        max_length=16, blank=True, choices=[("office_hours", "Office hours"), ("out_of_hours", "Out of hours")]
    )
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["schedule", "position"]

    def __str__(self) -> str:
        return f"{self.schedule}: {self.name}"


class LayerMember(models.Model):
    layer = models.ForeignKey(Layer, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["layer", "position"]

    def __str__(self) -> str:
        return f"{self.layer_id}: {self.user_id}"


class Override(models.Model):
    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="overrides")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    start = models.DateTimeField()
    end = models.DateTimeField()
    reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start", "id"]
        indexes = [models.Index(fields=["schedule", "end"])]

    def __str__(self) -> str:
        return f"{self.user_id} from {self.start:%Y-%m-%d %H:%M}"


class Swap(models.Model):
    """A shift one member offers and another takes; taking it makes an override naming both."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="swaps")
    offered_by = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    start = models.DateTimeField()
    end = models.DateTimeField()
    note = models.CharField(max_length=300, blank=True)
    taken_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    taken_at = models.DateTimeField(null=True, blank=True)
    override = models.OneToOneField(Override, null=True, blank=True, on_delete=models.SET_NULL, related_name="swap")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start", "id"]

    def __str__(self) -> str:
        return f"swap {self.pk} offered by {self.offered_by_id}"


class CalendarToken(models.Model):
    """A revocable address for one person's shifts as iCalendar."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"calendar of {self.user_id}"


class EscalationPolicy(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="escalation_policies")
    repeat = models.PositiveSmallIntegerField(default=0, help_text="How many times to go round again, 0 to 9.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "escalation policies"

    def __str__(self) -> str:
        return self.name


class EscalationStep(models.Model):
    policy = models.ForeignKey(EscalationPolicy, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField()
    ack_timeout_minutes = models.PositiveIntegerField(default=5)

    class Meta:
        ordering = ["policy", "position"]

    def __str__(self) -> str:
        return f"{self.policy_id} step {self.position + 1}"


class StepTarget(models.Model):
    """Exactly one of schedule, user or channel."""

    step = models.ForeignKey(EscalationStep, on_delete=models.CASCADE, related_name="targets")
    position = models.PositiveIntegerField(default=0)
    schedule = models.ForeignKey(Schedule, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(USER, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey(Channel, null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["step", "position", "id"]

    def __str__(self) -> str:
        return f"target {self.pk} of step {self.step_id}"


class PagingRule(models.Model):
    """Which policy a service pages for a priority, and when: always, only out of hours or never."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="paging_rules")
    priority = models.CharField(max_length=2, choices=PRIORITY_CHOICES)
    policy = models.ForeignKey(EscalationPolicy, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    when = models.CharField(
        max_length=16,
        default="always",
        choices=[
            ("always", "Page at once, day or night"),
            ("office_hours", "Only in office hours"),
            ("never", "Never"),
        ],
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["service", "priority"], name="one_paging_rule_per_priority")]

    def __str__(self) -> str:
        return f"{self.service_id} {self.priority}: {self.when}"


class PageStatus(models.TextChoices):
    TRIGGERED = "triggered", "Triggered"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    RESOLVED = "resolved", "Resolved"


class Page(models.Model):
    """Someone must acknowledge this: a policy, a position in it, every notification, one acknowledgement."""

    summary = models.CharField(max_length=300)
    details = models.TextField(blank=True)
    source = models.CharField(max_length=32, default="manual")
    policy = models.ForeignKey(EscalationPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="pages")
    incident = models.ForeignKey(Incident, null=True, blank=True, on_delete=models.CASCADE, related_name="pages")
    users: models.ManyToManyField[User, Any] = models.ManyToManyField(USER, blank=True, related_name="+")
    status = models.CharField(max_length=16, choices=PageStatus.choices, default=PageStatus.TRIGGERED)
    # Where the escalation is: the step index and the round (0 is the first pass).
    step_index = models.IntegerField(default=0)
    cycle = models.PositiveSmallIntegerField(default=0)
    ack_code = models.CharField(max_length=4)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    triggered_at = models.DateTimeField()
    acknowledged_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_via = models.CharField(max_length=16, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-triggered_at", "-id"]
        indexes = [models.Index(fields=["status", "ack_code"])]

    def __str__(self) -> str:
        return f"Page {self.pk}: {self.summary}"


class PageEvent(models.Model):
    """The page's own timeline: triggered, each step, skips, notifications, the acknowledgement."""

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    kind = models.CharField(max_length=24)
    text = models.CharField(max_length=500)
    data = models.JSONField(default=dict)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.page_id} {self.kind}"


class NotificationStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class PageNotification(models.Model):
    """One message to one person (or channel) for a page, delivered like every other notification."""

    key = models.CharField(max_length=64, unique=True)
    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="notifications")
    user = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    contact = models.ForeignKey(ContactMethod, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    channel = models.ForeignKey(Channel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    step_index = models.IntegerField(default=0)
    cycle = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=16)
    recipient = models.CharField(max_length=500)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    due_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    external_id = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["page", "status"])]

    def __str__(self) -> str:
        return f"{self.page_id} → {self.recipient} ({self.status})"


class NightlyCheck(models.Model):
    """One row per queued nightly gap check: the unique time stops two callers queueing two checks."""

    run_after = models.DateTimeField(unique=True)

    def __str__(self) -> str:
        return f"gap check at {self.run_after:%Y-%m-%d %H:%M}"

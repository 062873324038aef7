"""Integrations (where alerts come in), alerts, the groups that make one outage one page, label routes, history."""

from __future__ import annotations

import hashlib
import secrets
import string

from django.conf import settings
from django.db import models
from django.db.models import Q

from watchkeeper.catalogue.models import Service
from watchkeeper.domain.alerting import AlertStatus, GroupingRule
from watchkeeper.domain.priority import Priority
from watchkeeper.incidents.models import Incident
from watchkeeper.oncall.models import EscalationPolicy, Page

STATUS_CHOICES = [(s.value, s.value.title()) for s in AlertStatus]
OPEN_VALUES = [AlertStatus.FIRING.value, AlertStatus.ACKNOWLEDGED.value]
PRIORITY_CHOICES = [(p.value, p.value) for p in Priority]
KEY_ALPHABET = string.ascii_lowercase + string.digits


def new_key() -> str:
    """32 lowercase letters and digits, the shape of a PagerDuty integration key, so tools that check it accept it."""
    return "".join(secrets.choice(KEY_ALPHABET) for _ in range(32))


def key_digest(raw: str) -> str:
    # 165 random bits: a fast hash is enough, nothing to brute-force.
    return hashlib.sha256(raw.encode()).hexdigest()


class Kind(models.TextChoices):
    ALERTMANAGER = "alertmanager", "Prometheus Alertmanager or Grafana"
    PAGERDUTY = "pagerduty", "PagerDuty Events API v2"
    SNS = "sns", "Amazon SNS (CloudWatch alarms)"
    GENERIC = "generic", "Generic JSON"
    HEARTBEAT = "heartbeat", "Heartbeat"


class Integration(models.Model):
    name = models.CharField(max_length=200)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="integrations")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # Who a new alert group pages; without one, groups are shown but nobody is paged.
    policy = models.ForeignKey(
        EscalationPolicy, null=True, blank=True, on_delete=models.PROTECT, related_name="integrations"
    )
    key_digest = models.CharField(max_length=64, unique=True)
    key_hint = models.CharField(max_length=8, help_text="The first characters of the key, to tell keys apart.")
    # After a rotation the old key keeps working until this time, so senders can be updated without a gap.
    previous_key_digest = models.CharField(max_length=64, null=True, blank=True, unique=True)
    previous_key_expires_at = models.DateTimeField(null=True, blank=True)
    grouping = models.CharField(
        max_length=16, choices=[(r.value, r.value) for r in GroupingRule], default=GroupingRule.DEDUP_KEY.value
    )
    grouping_labels = models.JSONField(default=list, blank=True)
    heartbeat_interval = models.DurationField(null=True, blank=True)
    last_heartbeat_at = models.DateTimeField(null=True, blank=True)
    # Counters a misconfigured sender shows up in, on the integration's page.
    refusals = models.PositiveIntegerField(default=0)
    last_refusal = models.CharField(max_length=500, blank=True)
    last_refusal_at = models.DateTimeField(null=True, blank=True)
    dropped = models.PositiveIntegerField(default=0, help_text="Acknowledge or resolve for keys never seen.")
    throttled = models.PositiveIntegerField(default=0)
    window_start = models.DateTimeField(null=True, blank=True)
    window_count = models.PositiveIntegerField(default=0)
    storm_until = models.DateTimeField(null=True, blank=True)
    # While a storm lasts, every new group joins this one page instead of paging again.
    storm_page = models.ForeignKey(Page, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Label routes that declare automatically act as whoever set the integration up.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["service__name", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"


class AlertGroup(models.Model):
    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="groups")
    group_key = models.TextField()
    # Group keys can be long (Alertmanager's are label sets), so uniqueness is on a digest.
    group_digest = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=STATUS_CHOICES, default=AlertStatus.FIRING.value)
    title = models.CharField(max_length=1024)
    suggested_priority = models.CharField(max_length=2, choices=PRIORITY_CHOICES, blank=True)
    storm = models.BooleanField(default=False, help_text="Opened during a storm: the storm's one page covers it.")
    opened_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.SET_NULL, related_name="alert_groups"
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            # A resolved group is history: a new trigger opens a new group rather than reviving it.
            models.UniqueConstraint(
                fields=["integration", "group_digest"],
                condition=Q(status__in=OPEN_VALUES),
                name="one_open_group_per_key",
            )
        ]
        indexes = [models.Index(fields=["integration", "status"]), models.Index(fields=["integration", "opened_at"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_VALUES


class Alert(models.Model):
    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="alerts")
    group = models.ForeignKey(AlertGroup, on_delete=models.CASCADE, related_name="alerts")
    dedup_key = models.CharField(max_length=255)
    status = models.CharField(max_length=16, choices=STATUS_CHOICES, default=AlertStatus.FIRING.value)
    summary = models.CharField(max_length=1024)
    severity = models.CharField(max_length=16, default="critical")
    source = models.CharField(max_length=500, blank=True)
    labels = models.JSONField(default=dict, blank=True)
    annotations = models.JSONField(default=dict, blank=True)
    links = models.JSONField(default=list, blank=True)
    details = models.JSONField(default=dict, blank=True)
    content_hash = models.CharField(max_length=64)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["started_at", "id"]
        constraints = [
            # Unique on (integration, dedup key) while open; after a resolve the same key opens a new alert.
            models.UniqueConstraint(
                fields=["integration", "dedup_key"], condition=Q(status__in=OPEN_VALUES), name="one_open_alert_per_key"
            )
        ]
        indexes = [models.Index(fields=["integration", "dedup_key"])]

    def __str__(self) -> str:
        return f"{self.dedup_key}: {self.summary}"


class History(models.Model):
    """What happened to a group and its alerts, append-only: firing, resolved, acknowledged, paged, declared."""

    group = models.ForeignKey(AlertGroup, on_delete=models.CASCADE, related_name="history")
    alert = models.ForeignKey(Alert, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()
    kind = models.CharField(max_length=24)
    text = models.CharField(max_length=1200)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.group_id} {self.kind}"


class LabelRoute(models.Model):
    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="routes")
    position = models.PositiveIntegerField(default=0)
    matchers = models.JSONField(default=dict, help_text='Label name to value, e.g. {"severity": "critical"}.')
    priority = models.CharField(max_length=2, choices=PRIORITY_CHOICES, blank=True)
    page = models.BooleanField(default=True, help_text="Page the integration's policy for a new group.")
    auto_declare = models.BooleanField(default=False, help_text="Declare the incident without waiting for a person.")

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.matchers} -> {self.priority or 'no priority'}"


class GroupPage(models.Model):
    """A page sent for a group: its own, a storm's (shared by many groups), or one telling the acknowledger."""

    group = models.ForeignKey(AlertGroup, on_delete=models.CASCADE, related_name="group_pages")
    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="alert_links")
    reason = models.CharField(
        max_length=16, choices=[("group", "group"), ("storm", "storm"), ("acknowledger", "acknowledger")]
    )

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["group", "page"], name="one_link_per_group_page")]

    def __str__(self) -> str:
        return f"group {self.group_id} page {self.page_id}"

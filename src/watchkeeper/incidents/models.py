"""Incidents, the people on them, their append-only timeline and the GDS checklist."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from watchkeeper.catalogue.models import Service
from watchkeeper.domain.priority import Priority
from watchkeeper.domain.workflow import IncidentType, SecurityStep, Status, Step

STATUS_CHOICES = [(s.value, s.value.title()) for s in Status]
TYPE_CHOICES = [(t.value, t.label) for t in IncidentType]
PRIORITY_CHOICES = [(p.value, p.value) for p in Priority]
STEP_CHOICES = [(s.value, s.label) for s in Step] + [(s.value, s.label) for s in SecurityStep]


class ReferenceCounter(models.Model):
    """One row per year; locked while numbering so two declarations never share a reference."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Incident(models.Model):
    reference = models.CharField(max_length=20, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="incidents")
    type = models.CharField(max_length=32, choices=TYPE_CHOICES, default=IncidentType.TECHNICAL_FAILURE.value)
    priority = models.CharField(max_length=2, choices=PRIORITY_CHOICES)
    status = models.CharField(max_length=16, choices=STATUS_CHOICES, default=Status.INVESTIGATING.value)
    restricted = models.BooleanField(default=False)

    reported_at = models.DateTimeField(help_text="When the problem was first noticed; every clock starts here.")
    declared_at = models.DateTimeField()
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reporter = models.CharField(max_length=200, blank=True, help_text="Who noticed, if not the declarer.")

    incident_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    comms_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    technical_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    # The clocks, kept current by the service functions so lists and reminders can query them.
    respond_by = models.DateTimeField()
    response_met_at = models.DateTimeField(null=True, blank=True)
    first_update_by = models.DateTimeField()
    next_update_due = models.DateTimeField(null=True, blank=True)
    last_update_at = models.DateTimeField(null=True, blank=True)
    updates_late = models.PositiveIntegerField(default=0, help_text="Updates published after they were due.")
    reopened_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    summary = models.TextField(blank=True, help_text="How it was resolved.")

    # Milestones for insights: recorded as things happen, correctable with a reason (incidents.services.milestones).
    impact_started_at = models.DateTimeField(null=True, blank=True, help_text="When the problem began.")
    detected_at = models.DateTimeField(null=True, blank=True, help_text="First alert or report.")
    acknowledged_at = models.DateTimeField(null=True, blank=True, help_text="First page acknowledged, or lead.")
    responded_at = models.DateTimeField(null=True, blank=True, help_text="Incident lead established.")
    mitigated_at = models.DateTimeField(null=True, blank=True, help_text="First move to monitoring.")
    exercise = models.BooleanField(default=False, help_text="A drill or game day: left out of insights by default.")

    # Optimistic concurrency: a form carries the version it was built from.
    version = models.PositiveIntegerField(default=1)
    # A declaration form carries a one-off key so a double submit finds the first incident.
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-declared_at", "-id"]
        indexes = [
            models.Index(fields=["status", "service"]),
            models.Index(fields=["next_update_due"]),
            # The register and the dashboard's finished list sort the whole table by these.
            models.Index(fields=["-declared_at", "-id"], name="incident_declared_desc"),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    @property
    def status_enum(self) -> Status:
        return Status(self.status)

    @property
    def priority_enum(self) -> Priority:
        return Priority(self.priority)

    @property
    def type_enum(self) -> IncidentType:
        return IncidentType(self.type)

    @property
    def is_open(self) -> bool:
        return self.status not in {Status.RESOLVED.value, Status.CLOSED.value}


class Responder(models.Model):
    """Someone on the response team; leaving keeps the row so the report shows who helped."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="responders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    joined_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["joined_at", "id"]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.incident_id}"


class EntryKind(models.TextChoices):
    DECLARED = "declared", "Declared"
    STATUS = "status", "Status changed"
    PRIORITY = "priority", "Priority changed"
    ROLE = "role", "Role changed"
    UPDATE = "update", "Update"
    NOTE = "note", "Note"
    ACTION = "action", "Action"
    DECISION = "decision", "Decision"
    CHECKLIST = "checklist", "Checklist"
    NOTIFICATION = "notification", "Notification"
    RESOLVED = "resolved", "Resolved"
    REOPENED = "reopened", "Reopened"
    CLOSED = "closed", "Closed"
    MILESTONE = "milestone", "Milestone corrected"


class TimelineEntry(models.Model):
    """Append-only: nothing updates or deletes an entry once written."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    kind = models.CharField(max_length=16, choices=EntryKind.choices)
    text = models.TextField()
    public = models.BooleanField(default=False, help_text="An update meant for the public status page.")
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["incident", "at", "id"])]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.at:%Y-%m-%d %H:%M} {self.kind}"


class ChecklistTick(models.Model):
    """One GDS step done: who and when, and whether Watchkeeper saw it happen or a person ticked it."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="checklist")
    step = models.CharField(max_length=32, choices=STEP_CHOICES)
    done_at = models.DateTimeField()
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    automatic = models.BooleanField(default=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["done_at", "id"]
        constraints = [models.UniqueConstraint(fields=["incident", "step"], name="one_tick_per_step")]

    def __str__(self) -> str:
        return f"{self.incident_id}: {self.step}"

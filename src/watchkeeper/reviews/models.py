"""The living incident report, the blameless review, its follow-up actions and each team's report template."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from watchkeeper.catalogue.models import Team
from watchkeeper.incidents.models import Incident


class RootCause(models.TextChoices):
    """The GDS incident report template's root-cause categories (DESIGN.md §3)."""

    CODE_CHANGE = "code_change", "Unexpected effect of code change"
    CONFIGURATION = "configuration", "Configuration fault"
    CAPACITY = "capacity", "Capacity issue"
    THIRD_PARTY = "third_party", "Provider or third-party failure"
    WORKFLOW = "workflow", "Workflow issue"
    DESIGN = "design", "Software design or architecture problem"
    OTHER = "other", "Other"


class ReportTemplate(models.Model):
    """A team's own headings and guidance for the sections people write; without one the GDS template applies."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="report_template")
    # [{"key": "overview", "heading": "Overview", "guidance": "..."}, ...]
    sections = models.JSONField(default=list)
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)

    def __str__(self) -> str:
        return f"Report template for {self.team}"


class Report(models.Model):
    """What the team writes; the header, timeline and durations are read from the incident when shown."""

    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="report")
    sections = models.JSONField(default=dict, blank=True, help_text="Section key to the text the team wrote.")
    public_text = models.TextField(blank=True, help_text="Plain language for the status page, no internal notes.")
    publishable = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"Report for {self.incident_id}"


class Review(models.Model):
    """The post-incident review: proposed when the incident is resolved, then held and recorded (or waived)."""

    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="review")
    proposed_for = models.DateTimeField(null=True, blank=True, help_text="When the review meeting is planned.")
    due_by = models.DateTimeField(null=True, blank=True, help_text="End of the window the review should be held in.")
    invitees = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")

    held_at = models.DateTimeField(null=True, blank=True)
    attendance = models.TextField(blank=True)
    root_cause = models.TextField(blank=True, help_text="What caused it, in plain language.")
    root_cause_category = models.CharField(max_length=20, choices=RootCause.choices, blank=True)
    contributing_factors = models.TextField(blank=True)
    why_not_caught = models.TextField(blank=True)
    alerted_quickly = models.TextField(blank=True)
    diagnosed_and_fixed_quickly = models.TextField(blank=True)
    underlying_issue_fixed = models.TextField(blank=True)
    what_helped = models.TextField(blank=True)
    what_hindered = models.TextField(blank=True)
    process_and_comms = models.TextField(blank=True)
    how_to_improve = models.TextField(blank=True)
    recommendations = models.TextField(blank=True)
    recorded_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    waived_at = models.DateTimeField(null=True, blank=True)
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    waiver_reason = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [models.Index(fields=["root_cause_category"])]

    def __str__(self) -> str:
        return f"Review of {self.incident_id}"

    @property
    def is_recorded(self) -> bool:
        return self.recorded_at is not None

    @property
    def is_waived(self) -> bool:
        return self.waived_at is not None


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    WONT_DO = "wont_do", "Won't do"


class Action(models.Model):
    """A follow-up action from the review: one person owns it, never a team."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="follow_up_actions")
    title = models.CharField(max_length=300)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField(help_text="Counted in business days on the service's calendar.")
    status = models.CharField(max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    link = models.URLField(blank=True, max_length=500, help_text="An issue tracker link, for example.")
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["status", "due_at"])]

    def __str__(self) -> str:
        return f"{self.incident_id}: {self.title}"

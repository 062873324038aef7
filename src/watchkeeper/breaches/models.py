"""Personal data breach records (UK GDPR Articles 33 and 34) and the security response to an incident.

The fields on Breach hold the current state for the breach log; every decision is also kept as an
append-only BreachDecision row (who, when, why) so the record shows how it got there.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models

from watchkeeper.domain.workflow import SecurityStep
from watchkeeper.incidents.models import Incident


class Risk(models.TextChoices):
    UNLIKELY = "unlikely", "Unlikely to result in a risk to people's rights and freedoms"
    RISK = "risk", "Likely to result in a risk"
    HIGH = "high", "Likely to result in a high risk"


class Exemption(models.TextChoices):
    """Article 34(3): when people at high risk need not be told individually."""

    UNINTELLIGIBLE = "unintelligible", "The data was unintelligible to anyone not authorised (for example, encrypted)"
    RISK_REMOVED = "risk_removed", "Later measures mean the high risk is no longer likely"
    DISPROPORTIONATE = (
        "disproportionate",
        "Telling each person would take disproportionate effort: public notice instead",
    )


class Breach(models.Model):
    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="breach")
    opened_at = models.DateTimeField()
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    aware_at = models.DateTimeField(help_text="When the organisation became aware of the breach.")
    ico_deadline = models.DateTimeField(help_text="aware_at + 72 elapsed hours (Article 33(1)).")

    # Article 33(3)
    nature = models.TextField(blank=True)
    people_categories = models.TextField(blank=True)
    people_count = models.PositiveIntegerField(null=True, blank=True)
    record_categories = models.TextField(blank=True)
    record_count = models.PositiveIntegerField(null=True, blank=True)
    contact_point = models.TextField(blank=True, help_text="The data protection officer or other contact point.")
    likely_consequences = models.TextField(blank=True)
    measures_taken = models.TextField(blank=True)
    measures_proposed = models.TextField(blank=True)

    risk = models.CharField(max_length=16, choices=Risk.choices, blank=True)
    risk_reasoning = models.TextField(blank=True)

    report_to_ico = models.BooleanField(null=True, blank=True)
    report_to_ico_reason = models.TextField(blank=True)
    reported_to_ico_at = models.DateTimeField(null=True, blank=True)
    ico_reference = models.CharField(max_length=100, blank=True)
    delay_reasons = models.TextField(blank=True)

    tell_people = models.BooleanField(null=True, blank=True)
    tell_people_reason = models.TextField(blank=True)
    tell_people_exemption = models.CharField(max_length=20, choices=Exemption.choices, blank=True)
    told_people_at = models.DateTimeField(null=True, blank=True)
    tell_people_method = models.CharField(max_length=300, blank=True)

    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-aware_at", "-id"]

    def __str__(self) -> str:
        return f"Breach on {self.incident_id}"

    @property
    def ico_decided(self) -> bool:
        return self.report_to_ico is not None


class DecisionKind(models.TextChoices):
    OPENED = "opened", "Breach record opened"
    AWARE_AT = "aware_at", "Time of awareness changed"
    FACTS = "facts", "Breach facts"
    RISK = "risk", "Risk assessed"
    REPORT_TO_ICO = "report_to_ico", "Report to the ICO"
    REPORTED = "reported", "Reported to the ICO"
    FURTHER_INFORMATION = "further_information", "Further information sent to the ICO"
    TELL_PEOPLE = "tell_people", "Tell the people affected"
    NCSC = "ncsc", "Tell the NCSC"
    WAIVED = "waived", "Security step waived"


class BreachDecision(models.Model):
    """Append-only: who decided what, when and why."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="breach_decisions")
    kind = models.CharField(max_length=24, choices=DecisionKind.choices)
    decision = models.CharField(max_length=300)
    reason = models.TextField(blank=True)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.kind}"


class BreachAlert(models.Model):
    """A reminder or escalation that went out, so a task that fires twice sends once."""

    breach = models.ForeignKey(Breach, on_delete=models.CASCADE, related_name="alerts")
    hours = models.PositiveIntegerField()
    kind = models.CharField(max_length=16)
    aware_at = models.DateTimeField(help_text="The awareness time this alert was counted from.")
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["breach", "hours", "kind", "aware_at"], name="one_alert_per_milestone")
        ]

    def __str__(self) -> str:
        return f"{self.breach_id} {self.kind} at {self.hours}h"


SECURITY_STEP_CHOICES = [(s.value, s.label) for s in SecurityStep]


class SecuritySection(models.Model):
    """Contain, eradicate or recover: notes per part, then done by a responder or waived by security."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="security_sections")
    step = models.CharField(max_length=16, choices=SECURITY_STEP_CHOICES)
    notes = models.JSONField(default=dict, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    waived_reason = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["incident", "step"], name="one_section_per_step")]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.step}"


class NcscReport(models.Model):
    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="ncsc")
    category = models.PositiveSmallIntegerField()
    told = models.BooleanField(null=True, blank=True)
    told_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"{self.incident_id} NCSC category {self.category}"


class EvidenceLogEntry(models.Model):
    """The forensic log: what was run, where the images are kept and their hashes."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="evidence_log")
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    command = models.TextField(blank=True)
    image_location = models.CharField(max_length=500, blank=True)
    image_hash = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.incident_id} evidence log {self.at:%Y-%m-%d %H:%M}"


def evidence_storage() -> FileSystemStorage:
    # Outside MEDIA_ROOT and never under a URL: files leave only through the permission-checked view.
    return FileSystemStorage(location=settings.VAR_DIR / "evidence", base_url=None)


class EvidenceFile(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="evidence_files")
    file = models.FileField(storage=evidence_storage, upload_to="files/")
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()
    description = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.sha256[:12]})"


class EvidenceDownload(models.Model):
    file = models.ForeignKey(EvidenceFile, on_delete=models.CASCADE, related_name="downloads")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.file_id} downloaded by {self.by_id}"

"""Contain, eradicate and recover; the NCSC decision; the forensic evidence log and evidence files."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import PurePath

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from watchkeeper.breaches.access import may_waive, on_incident
from watchkeeper.breaches.models import (
    DecisionKind,
    EvidenceDownload,
    EvidenceFile,
    EvidenceLogEntry,
    NcscReport,
    SecuritySection,
)
from watchkeeper.breaches.security_guide import NCSC_CATEGORIES, SECTION_PARTS, must_tell_ncsc
from watchkeeper.breaches.services.common import decide, lock_incident, past_instant, record, require_actor
from watchkeeper.domain.workflow import SecurityStep, security_steps
from watchkeeper.incidents.models import EntryKind, Incident
from watchkeeper.incidents.services.checklist import tick

MAX_EVIDENCE_BYTES = 25 * 1024 * 1024
# Logs, captures, reports and archives of them: no executable or HTML content that a browser might run.
EVIDENCE_TYPES = {
    ".txt": "text/plain",
    ".log": "text/plain",
    ".csv": "text/csv",
    ".json": "application/json",
    ".pcap": "application/vnd.tcpdump.pcap",
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".zip": "application/zip",
    ".gz": "application/gzip",
}


def _security_step(incident: Incident, step: str) -> SecurityStep:
    try:
        wanted = SecurityStep(step)
    except ValueError:
        raise ValidationError({"step": f"unknown step {step!r}: use contain, eradicate or recover"}) from None
    if wanted not in security_steps(incident.type_enum):
        raise ValidationError({"step": f"{incident.reference} is not a security incident or data breach"})
    return wanted


@transaction.atomic
def save_security_section(
    actor: User, incident: Incident, step: str, notes: dict[str, str], *, done: bool = False
) -> SecuritySection:
    """Notes for each part of a step; marking it done needs every part answered ('not needed, because…' counts)."""
    require_actor(actor, incident)
    wanted = _security_step(incident, step)
    lock_incident(incident)
    parts = SECTION_PARTS[wanted]
    unknown = set(notes) - set(parts)
    if unknown:
        raise ValidationError({name: "not a part of this step" for name in unknown})
    section, _ = SecuritySection.objects.get_or_create(incident=incident, step=wanted.value)
    section.notes = {**section.notes, **{k: v.strip() for k, v in notes.items()}}
    if done:
        missing = {name: f"Enter {label.lower()}" for name, label in parts.items() if not section.notes.get(name)}
        if missing:
            raise ValidationError(missing)
    newly_done = done and section.done_at is None
    if newly_done:
        section.done_at = timezone.now()
        section.done_by = actor
    section.save()
    if newly_done:
        tick(incident, wanted, actor, automatic=False)
        record(incident, actor, f"{wanted.label}: done", EntryKind.CHECKLIST, step=wanted.value)
    else:
        record(incident, actor, f"{wanted.label}: notes updated", EntryKind.NOTE, step=wanted.value)
    return section


@transaction.atomic
def waive_security_step(actor: User, incident: Incident, step: str, reason: str) -> SecuritySection:
    require_actor(actor, incident)
    if not may_waive(actor):
        raise PermissionDenied("Only the security group can waive a security step")
    wanted = _security_step(incident, step)
    if not reason.strip():
        raise ValidationError({"reason": "Explain why this step is not needed"})
    lock_incident(incident)
    section, _ = SecuritySection.objects.get_or_create(incident=incident, step=wanted.value)
    section.waived_reason = reason.strip()
    section.save()
    decide(incident, actor, DecisionKind.WAIVED, f"{wanted.label} waived", reason)
    return section


def check_security_steps(incident: Incident) -> None:
    """A resolve guard: contain, eradicate and recover are each done or waived before a security incident resolves."""
    needed = security_steps(incident.type_enum)
    if not needed:
        return
    settled = {
        s.step for s in SecuritySection.objects.filter(incident=incident) if s.done_at is not None or s.waived_reason
    }
    missing = [step for step in needed if step.value not in settled]
    if missing:
        names = ", ".join(step.value for step in missing)
        raise ValidationError({"status": f"Complete or get the security group to waive: {names}"})


@transaction.atomic
def record_ncsc(
    actor: User, incident: Incident, category: int, told: bool | None, told_at: datetime | None, reason: str
) -> NcscReport:
    """Categories 1 to 3 need a recorded decision on telling the NCSC, and when, or why not."""
    require_actor(actor, incident)
    errors: dict[str, str] = {}
    if category not in NCSC_CATEGORIES:
        errors["category"] = "Choose an NCSC category from 1 to 6"
    elif must_tell_ncsc(category) and told is None:
        errors["told"] = f"Category {category} needs a decision on telling the NCSC"
    if told and told_at is None:
        errors["told_at"] = "Enter when the NCSC was told"
    if told is False and not reason.strip():
        errors["reason"] = "Explain why the NCSC is not being told"
    if told_at is not None and "told_at" not in errors:
        try:
            past_instant(told_at, "told_at", "when the NCSC was told")
        except ValidationError as error:
            errors["told_at"] = " ".join(error.message_dict["told_at"])
    if errors:
        raise ValidationError(errors)
    lock_incident(incident)
    report, _ = NcscReport.objects.update_or_create(
        incident=incident,
        defaults={
            "category": category,
            "told": told,
            "told_at": told_at if told else None,
            "reason": reason.strip(),
            "decided_at": timezone.now(),
            "decided_by": actor,
        },
    )
    if told is None:
        decision = f"category {category}, no decision on telling the NCSC"
    elif told:
        decision = f"category {category}, NCSC told at {told_at:%Y-%m-%d %H:%M %Z}"
    else:
        decision = f"category {category}, NCSC not told"
    decide(incident, actor, DecisionKind.NCSC, decision, reason)
    return report


@transaction.atomic
def add_evidence_log(
    actor: User,
    incident: Incident,
    *,
    command: str = "",
    image_location: str = "",
    image_hash: str = "",
    note: str = "",
) -> EvidenceLogEntry:
    require_actor(actor, incident)
    if not incident.restricted:
        raise ValidationError({"command": "Evidence is kept only on restricted incidents"})
    if not any(part.strip() for part in (command, image_location, image_hash, note)):
        raise ValidationError({"command": "Enter the command run, where an image is kept, its hash or a note"})
    lock_incident(incident)
    entry = EvidenceLogEntry.objects.create(
        incident=incident,
        at=timezone.now(),
        by=actor,
        command=command.strip(),
        image_location=image_location.strip(),
        image_hash=image_hash.strip(),
        note=note.strip(),
    )
    record(incident, actor, "Evidence log entry added", EntryKind.NOTE, evidence_log=entry.pk)
    return entry


@transaction.atomic
def upload_evidence(actor: User, incident: Incident, upload: UploadedFile, description: str = "") -> EvidenceFile:
    require_actor(actor, incident)
    if not incident.restricted:
        raise ValidationError({"file": "Evidence files are kept only on restricted incidents"})
    name = PurePath(upload.name or "").name
    suffix = PurePath(name).suffix.lower()
    if suffix not in EVIDENCE_TYPES:
        raise ValidationError({"file": f"The file must be one of {', '.join(sorted(EVIDENCE_TYPES))}"})
    if not upload.size:
        raise ValidationError({"file": "The selected file is empty"})
    if upload.size > MAX_EVIDENCE_BYTES:
        raise ValidationError({"file": f"The file must be smaller than {MAX_EVIDENCE_BYTES // (1024 * 1024)} MB"})
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    lock_incident(incident)
    evidence = EvidenceFile(
        incident=incident,
        name=name,
        content_type=EVIDENCE_TYPES[suffix],
        size=upload.size,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
        uploaded_at=timezone.now(),
        description=description.strip(),
    )
    # Stored under its hash, never the uploaded name, so a name cannot steer where it lands.
    evidence.file.save(f"{incident.reference}/{evidence.sha256}{suffix}", upload, save=False)
    evidence.save()
    record(
        incident, actor, f"Evidence file {name} added (SHA-256 {evidence.sha256})", EntryKind.NOTE, evidence=evidence.pk
    )
    return evidence


@transaction.atomic
def record_download(actor: User, evidence: EvidenceFile) -> EvidenceDownload:
    """Called by the download view after its permission check, before the file leaves."""
    if not on_incident(actor, evidence.incident):
        raise PermissionDenied("Only the incident's team and the security group can download its evidence")
    download = EvidenceDownload.objects.create(file=evidence, by=actor, at=timezone.now())
    text = f"Evidence file {evidence.name} downloaded"
    record(evidence.incident, actor, text, EntryKind.NOTE, evidence=evidence.pk)
    return download

"""Contain, eradicate and recover before resolving; NCSC categories; evidence files with hashes and logged downloads."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD, make_incident, make_user
from watchkeeper.breaches import services
from watchkeeper.breaches.models import EvidenceDownload
from watchkeeper.breaches.security_guide import SECTION_PARTS
from watchkeeper.domain.workflow import SecurityStep
from watchkeeper.incidents.models import ChecklistTick

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead():
    return make_user("lead")


@pytest.fixture
def incident(lead):
    return make_incident(lead, type="security_incident", take_lead=True)


def all_parts(step: SecurityStep) -> dict[str, str]:
    return {name: f"{name} recorded" for name in SECTION_PARTS[step]}


def test_resolve_guard_needs_each_step_done_or_waived(lead, incident) -> None:
    with pytest.raises(ValidationError) as error:
        services.check_security_steps(incident)
    assert "contain, eradicate, recover" in str(error.value)
    services.save_security_section(lead, incident, "contain", all_parts(SecurityStep.CONTAIN), done=True)
    services.save_security_section(lead, incident, "eradicate", all_parts(SecurityStep.ERADICATE), done=True)
    with pytest.raises(ValidationError):
        services.check_security_steps(incident)
    with pytest.raises(PermissionDenied):
        services.waive_security_step(lead, incident, "recover", "nothing to restore")
    security = make_user("sec", "security")
    with pytest.raises(ValidationError):
        services.waive_security_step(security, incident, "recover", " ")
    services.waive_security_step(security, incident, "recover", "nothing was taken down, nothing to restore")
    services.check_security_steps(incident)
    assert set(ChecklistTick.objects.filter(incident=incident).values_list("step", flat=True)) >= {
        "contain",
        "eradicate",
    }


def test_other_incidents_need_no_security_steps(lead) -> None:
    services.check_security_steps(make_incident(lead))


def test_a_step_is_done_only_with_every_part_answered(lead, incident) -> None:
    services.save_security_section(lead, incident, "contain", {"short_term": "blocked the IP"})
    with pytest.raises(ValidationError) as error:
        services.save_security_section(lead, incident, "contain", {}, done=True)
    assert set(error.value.message_dict) == {"long_term", "forensic_clone"}
    with pytest.raises(ValidationError):
        services.save_security_section(lead, incident, "contain", {"colour": "blue"})
    with pytest.raises(ValidationError):
        services.save_security_section(lead, make_incident(lead), "contain", {})


def test_ncsc_categories_1_to_3_need_a_decision(lead, incident) -> None:
    with pytest.raises(ValidationError) as error:
        services.record_ncsc(lead, incident, 3, None, None, "")
    assert "told" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.record_ncsc(lead, incident, 2, True, None, "")
    assert "told_at" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.record_ncsc(lead, incident, 2, False, None, "")
    assert "reason" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.record_ncsc(lead, incident, 7, None, None, "")
    told_at = timezone.now() - timedelta(minutes=5)
    report = services.record_ncsc(lead, incident, 2, True, told_at, "")
    assert (report.told, report.told_at, report.decided_by) == (True, told_at, lead)
    assert services.record_ncsc(lead, incident, 5, None, None, "").told is None


def test_evidence_is_hashed_and_every_download_logged(client, lead, incident) -> None:
    content = b"Mar 27 10:01 sshd[99]: Accepted publickey for root"
    evidence = services.upload_evidence(lead, incident, SimpleUploadedFile("auth.log", content), "sshd log")
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    assert (evidence.size, evidence.uploaded_by, evidence.content_type) == (len(content), lead, "text/plain")
    assert evidence.sha256 in evidence.file.name and "auth.log" not in evidence.file.name
    client.login(username="lead", password=PASSWORD)
    url = reverse("breaches:evidence-download", kwargs={"reference": incident.reference, "pk": evidence.pk})
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/octet-stream"
    assert b"".join(response.streaming_content) == content
    download = EvidenceDownload.objects.get()
    assert (download.file, download.by) == (evidence, lead)


def test_evidence_limits(lead, incident, monkeypatch) -> None:
    with pytest.raises(ValidationError):
        services.upload_evidence(lead, incident, SimpleUploadedFile("run.sh", b"rm -rf /"))
    with pytest.raises(ValidationError):
        services.upload_evidence(lead, incident, SimpleUploadedFile("page.html", b"<script>"))
    with pytest.raises(ValidationError):
        services.upload_evidence(lead, incident, SimpleUploadedFile("empty.log", b""))
    monkeypatch.setattr("watchkeeper.breaches.services.security.MAX_EVIDENCE_BYTES", 10)
    with pytest.raises(ValidationError):
        services.upload_evidence(lead, incident, SimpleUploadedFile("big.log", b"x" * 11))
    with pytest.raises(ValidationError):
        services.upload_evidence(lead, make_incident(lead), SimpleUploadedFile("a.log", b"x"))


def test_upload_page_stores_a_file(client, lead, incident) -> None:
    client.login(username="lead", password=PASSWORD)
    url = reverse("breaches:evidence", kwargs={"reference": incident.reference})
    response = client.post(url, {"file": SimpleUploadedFile("x.exe", b"MZ"), "description": ""})
    assert b"The file must be one of" in response.content
    response = client.post(url, {"file": SimpleUploadedFile("x.txt", b"hello"), "description": "note"})
    assert response.status_code == 302
    assert incident.evidence_files.count() == 1

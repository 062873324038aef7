"""Report pages and downloads, the review form, and restricted incidents kept out of sight."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from docx import Document

from tests.factories import make_incident, make_service, make_user
from watchkeeper.incidents import services as incidents
from watchkeeper.reviews import services
from watchkeeper.reviews.models import Action, Review

pytestmark = pytest.mark.django_db

MONDAY_10AM = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


@pytest.fixture
def resolved() -> object:
    lead = make_user("lead")
    service = make_service("pay", name="Pay")
    with time_machine.travel(MONDAY_10AM, tick=False):
        incident = make_incident(lead, service, title="Card payments failing", priority="P2", take_lead=True)
        incidents.assign_role(lead, incident, "comms_lead", lead)
        services.update_report(lead, incident, sections={"overview": "Card payments failed.", "user_impact": "Many"})
    with time_machine.travel(MONDAY_10AM + timedelta(hours=1, minutes=30), tick=False):
        incidents.resolve(lead, incident, "Rolled back")
    incident.refresh_from_db()
    return incident


def test_report_page_shows_header_sections_timeline_and_durations(client, resolved) -> None:
    client.force_login(resolved.incident_lead)
    page = client.get(f"/reviews/{resolved.reference}/report")
    assert page.status_code == 200
    body = page.content.decode()
    for text in (
        "Card payments failing",
        "Card payments failed.",
        "Pay",
        "P2",
        "1 hour 30 minutes",
        "Resolved: Rolled back",
    ):
        assert text in body


def test_markdown_download(client, resolved) -> None:
    client.force_login(resolved.incident_lead)
    response = client.get(f"/reviews/{resolved.reference}/report.md")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/markdown")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode()
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == [
        "## Duration",
        "## Overview",
        "## User impact",
        "## Services affected and departmental impact",
        "## Timeline",
        "## Review",
        "## Actions",
    ]
    assert text.startswith(f"# Incident report: {resolved.reference} Card payments failing")
    assert "- Time to fix (declared to resolved): 1 hour 30 minutes" in text
    assert "| Incident lead | lead |" in text


def test_docx_download_reads_back_with_python_docx(client, resolved) -> None:
    client.force_login(resolved.incident_lead)
    response = client.get(f"/reviews/{resolved.reference}/report.docx")
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert headings[0] == ("Title", f"Incident report: {resolved.reference} Card payments failing")
    assert [text for style, text in headings if style == "Heading 1"] == [
        "Duration",
        "Overview",
        "User impact",
        "Services affected and departmental impact",
        "Timeline",
        "Review",
        "Actions",
    ]
    header = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert header["Service"] == "Pay"
    assert header["Priority"] == "P2"
    assert any("Card payments failed." in p.text for p in document.paragraphs)


def test_recording_the_review_through_the_form(client, resolved) -> None:
    client.force_login(resolved.incident_lead)
    url = f"/reviews/{resolved.reference}/review"
    with time_machine.travel(MONDAY_10AM + timedelta(days=2), tick=False):
        bad = client.post(url, {"held_at": "tomorrow", "root_cause_category": "blame"})
        assert bad.status_code == 200
        body = bad.content.decode()
        assert "There is a problem" in body
        assert "Enter who attended" in body
        assert "Enter the time as YYYY-MM-DD HH:MM" in body
        good = client.post(
            url,
            {
                "held_at": "2026-12-01 14:00",
                "attendance": "lead, ops",
                "root_cause": "An expired certificate",
                "root_cause_category": "configuration",
                "what_helped": "Alerts",
                "version": Review.objects.get(incident=resolved).version,
            },
        )
    assert good.status_code == 302
    review = Review.objects.get(incident=resolved)
    assert review.held_at == datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
    assert review.what_helped == "Alerts"


def test_actions_are_added_and_changed_through_pages(client, resolved) -> None:
    client.force_login(resolved.incident_lead)
    make_user("owner")
    with time_machine.travel(MONDAY_10AM + timedelta(days=1), tick=False):
        bad = client.post(f"/reviews/{resolved.reference}/actions/new", {"title": "", "owner": "ghost"})
        assert "Describe the action" in bad.content.decode()
        response = client.post(
            f"/reviews/{resolved.reference}/actions/new",
            {"title": "Alert on certificate expiry", "owner": "owner", "due_in_business_days": "3"},
        )
        assert response.status_code == 302
        action = Action.objects.get()
        assert client.post(f"/reviews/actions/{action.pk}", {"status": "done"}).status_code == 302
    action.refresh_from_db()
    assert action.status == "done"


def test_ics_invitation_for_the_proposed_review(client, resolved) -> None:
    client.force_login(resolved.incident_lead)
    response = client.get(f"/reviews/{resolved.reference}/review.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    text = response.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    assert "DTSTART:20261207T100000Z" in text
    assert "DTEND:20261207T110000Z" in text
    assert f"UID:review-{resolved.reference}@" in text
    assert 'ATTENDEE;CN="lead"' in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))


def test_admin_waives_through_the_page_and_others_cannot(client, resolved) -> None:
    client.force_login(resolved.incident_lead)
    assert client.get(f"/reviews/{resolved.reference}/review/waive").status_code == 403
    client.force_login(make_user("root", "admin"))
    assert "Say why" in client.post(f"/reviews/{resolved.reference}/review/waive", {"reason": ""}).content.decode()
    assert client.post(f"/reviews/{resolved.reference}/review/waive", {"reason": "Test drill"}).status_code == 302
    assert Review.objects.get(incident=resolved).is_waived


def test_viewer_reads_the_report_but_cannot_edit(client, resolved) -> None:
    client.force_login(make_user("vic", "viewer"))
    assert client.get(f"/reviews/{resolved.reference}/report").status_code == 200
    assert client.get(f"/reviews/{resolved.reference}/report/edit").status_code == 403
    assert client.post(f"/reviews/{resolved.reference}/review", {}).status_code == 403


def test_every_reviews_url_for_a_restricted_incident_is_404_to_outsiders(client) -> None:
    insider = make_user("sec", "security")
    with time_machine.travel(MONDAY_10AM, tick=False):
        # Restricted by decision rather than by type, so resolving needs no contain/eradicate/recover steps.
        incident = make_incident(insider, restricted=True, take_lead=True)
        action = services.add_action(insider, incident, title="Rotate keys", owner=insider, due_in_business_days=1)
    with time_machine.travel(MONDAY_10AM + timedelta(hours=1), tick=False):
        incidents.resolve(insider, incident, "Contained")
    ref = incident.reference
    urls = [
        f"/reviews/{ref}/report",
        f"/reviews/{ref}/report.md",
        f"/reviews/{ref}/report.docx",
        f"/reviews/{ref}/report/edit",
        f"/reviews/{ref}/review",
        f"/reviews/{ref}/review/plan",
        f"/reviews/{ref}/review/waive",
        f"/reviews/{ref}/review.ics",
        f"/reviews/{ref}/actions/new",
        f"/reviews/actions/{action.pk}",
    ]
    client.force_login(insider)
    assert [client.get(url).status_code for url in urls if "waive" not in url] == [200] * (len(urls) - 1)
    for outsider in (make_user("resp", "responder"), make_user("vic", "viewer")):
        client.force_login(outsider)
        assert {url: client.get(url).status_code for url in urls} == {url: 404 for url in urls}
        assert {url: client.post(url, {}).status_code for url in urls} == {url: 404 for url in urls}


def test_admin_edits_a_team_template_and_reports_follow_it(client) -> None:
    service = make_service("pay", name="Pay")
    client.force_login(make_user("lead"))
    assert client.get(f"/reviews/templates/{service.team.slug}").status_code == 403
    client.force_login(make_user("root", "admin"))
    url = f"/reviews/templates/{service.team.slug}"
    assert "overview | Overview |" in client.get(url).content.decode()
    assert "needs a key and a heading" in client.post(url, {"sections": "just words"}).content.decode()
    saved = client.post(url, {"sections": "overview | What happened | Briefly\nlearning | What we learnt"})
    assert saved.status_code == 302
    with time_machine.travel(MONDAY_10AM, tick=False):
        incident = make_incident(make_user("ada"), service)
    client.force_login(incident.declared_by)
    markdown = client.get(f"/reviews/{incident.reference}/report.md").content.decode()
    assert "## What happened" in markdown and "## What we learnt" in markdown and "## User impact" not in markdown

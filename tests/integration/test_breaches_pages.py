"""The breach pages as the incident's team uses them: every form shows GOV.UK errors and saves through services."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, reverse
from docx import Document

from tests.factories import PASSWORD, make_incident, make_user
from watchkeeper.breaches import ico_draft, services, urls
from watchkeeper.breaches.models import Breach, BreachDecision

pytestmark = pytest.mark.django_db
FACTS = {
    "nature": "A spreadsheet of claimants was emailed to the wrong council",
    "people_categories": "Benefit claimants",
    "people_count": 340,
    "record_categories": "Names, addresses, National Insurance numbers",
    "record_count": 355,
    "contact_point": "Data protection officer, dpo@example.gov.uk",
    "likely_consequences": "Identity fraud",
    "measures_taken": "Recipient confirmed deletion",
    "measures_proposed": "Block external attachments with personal data",
}


@pytest.fixture
def lead_client(client):
    lead = make_user("lead")
    incident = make_incident(lead, type="personal_data_breach", take_lead=True)
    client.login(username="lead", password=PASSWORD)
    return client, lead, incident


def test_every_page_renders_for_the_team(lead_client) -> None:
    client, lead, incident = lead_client
    evidence = services.upload_evidence(lead, incident, _file("capture.pcap", b"\xd4\xc3\xb2\xa1"))
    for pattern in urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        names = set(pattern.pattern.converters)
        kwargs: dict[str, object] = {"reference": incident.reference} if "reference" in names else {}
        kwargs |= {"step": "contain"} if "step" in names else {}
        kwargs |= {"pk": evidence.pk} if "pk" in names else {}
        url = reverse(f"breaches:{pattern.name}", kwargs=kwargs)
        response = client.get(url)
        expected = 403 if pattern.name in {"log", "log-csv", "log-xlsx", "waive"} else 200
        assert response.status_code == expected, url


def test_ico_decision_form_shows_the_missing_reason(lead_client) -> None:
    client, _, incident = lead_client
    url = reverse("breaches:ico", kwargs={"reference": incident.reference})
    response = client.post(url, {"report": "no", "reason": ""})
    assert response.status_code == 200
    assert b"Explain why the breach will not be reported" in response.content
    assert b"govuk-error-summary" in response.content
    assert Breach.objects.get(incident=incident).report_to_ico is None
    response = client.post(url, {"report": "no", "reason": "encrypted laptop, key not lost"})
    assert response.status_code == 302
    assert Breach.objects.get(incident=incident).report_to_ico is False


def test_aware_form_reads_local_time(lead_client) -> None:
    client, _, incident = lead_client
    url = reverse("breaches:aware", kwargs={"reference": incident.reference})
    response = client.post(url, {"aware_at": "2020-07-01 09:00", "reason": ""})
    assert b"Say why the time of awareness is changing" in response.content
    response = client.post(url, {"aware_at": "2020-07-01 09:00", "reason": "found in the logs"})
    assert response.status_code == 302
    assert Breach.objects.get(incident=incident).aware_at.isoformat() == "2020-07-01T08:00:00+00:00"


def test_facts_and_tell_people_forms_save(lead_client) -> None:
    client, _, incident = lead_client
    ref = {"reference": incident.reference}
    assert client.post(reverse("breaches:facts", kwargs=ref), FACTS).status_code == 302
    assert Breach.objects.get(incident=incident).record_count == 355
    assert (
        client.post(reverse("breaches:risk", kwargs=ref), {"risk": "high", "reasoning": "NI numbers"}).status_code
        == 302
    )
    response = client.post(reverse("breaches:tell", kwargs=ref), {"tell": "no", "reason": "too many"})
    assert b"Article 34(3) exemption" in response.content
    data = {"tell": "yes", "reason": "high risk", "method": "letter", "told_at": "", "exemption": ""}
    assert client.post(reverse("breaches:tell", kwargs=ref), data).status_code == 302
    assert BreachDecision.objects.filter(incident=incident, kind="tell_people").exists()


def test_ico_draft_has_every_article_33_3_element(lead_client) -> None:
    client, lead, incident = lead_client
    services.update_facts(lead, incident, **FACTS)
    breach = Breach.objects.get(incident=incident)
    markdown = client.get(reverse("breaches:draft-md", kwargs={"reference": incident.reference})).content.decode()
    response = client.get(reverse("breaches:draft-docx", kwargs={"reference": incident.reference}))
    assert response["Content-Disposition"].startswith("attachment")
    document = Document(io.BytesIO(response.content))
    docx_text = "\n".join(p.text for p in document.paragraphs)
    page = client.get(reverse("breaches:draft", kwargs={"reference": incident.reference})).content.decode()
    for text in (markdown, docx_text, page):
        for value in FACTS.values():
            expected = f"{value:,}" if isinstance(value, int) else value
            assert expected in text.replace("&#39;", "'"), expected
        for article in ("33(3)(a)", "33(3)(b)", "33(3)(c)", "33(3)(d)"):
            assert article in text
    headings = [s.heading for s in ico_draft.sections(breach)]
    assert "Data protection officer or other contact point" in headings


def test_ico_draft_gives_delay_reasons_when_late(lead_client) -> None:
    _, lead, incident = lead_client
    breach = services.change_aware_at(lead, incident, incident.declared_at.replace(year=2020), "found in an old audit")
    services.record_reported(lead, incident, incident.declared_at, "ICO-1", "audit found it years later")
    breach.refresh_from_db()
    assert "audit found it years later" in ico_draft.markdown(breach)


def _file(name: str, content: bytes):
    return SimpleUploadedFile(name, content)


def test_every_breach_form_error_names_its_field(lead_client) -> None:
    client, _, incident = lead_client
    ref = {"reference": incident.reference}
    for name, expected in [
        ("ico", "Select yes if the breach will be reported to the ICO"),
        ("risk", "Select the risk to people"),
        ("aware", "Enter when the organisation became aware of the breach"),
        ("tell", "Select yes if the people affected will be told"),
    ]:
        page = client.post(reverse(f"breaches:{name}", kwargs=ref), {"reason": ""}).content.decode()
        assert "This field is required" not in page, name
        assert expected in page, name

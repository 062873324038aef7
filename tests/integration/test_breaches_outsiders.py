"""Every breach page and API route, walked as people outside the incident: nothing is revealed."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, reverse

from tests.factories import PASSWORD, make_incident, make_user
from watchkeeper.accounts.services import create_token
from watchkeeper.breaches import services, urls
from watchkeeper.breaches.models import EvidenceDownload
from watchkeeper.incidents import services as incidents_services

pytestmark = pytest.mark.django_db
SECRET_TITLE = "Payroll export left on a public bucket"


@pytest.fixture
def incidents():
    lead = make_user("lead")
    restricted = make_incident(lead, type="personal_data_breach", take_lead=True, title=SECRET_TITLE)
    services.add_evidence_log(lead, restricted, command="dd if=/dev/sda of=/evidence/sda.img", image_hash="abc")
    evidence = services.upload_evidence(lead, restricted, SimpleUploadedFile("auth.log", b"sshd: accepted"))
    # An open incident that anyone may see, marked as involving personal data.
    open_incident = make_incident(lead, take_lead=True, title=SECRET_TITLE)
    services.open_breach(lead, open_incident)
    return restricted, open_incident, evidence


def breach_urls(reference: str, evidence_pk: int) -> list[str]:
    found = []
    for pattern in urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        names = set(pattern.pattern.converters)
        if "reference" not in names:
            continue
        kwargs: dict[str, object] = {"reference": reference}
        if "step" in names:
            kwargs["step"] = "contain"
        if "pk" in names:
            kwargs["pk"] = evidence_pk
        found.append(reverse(f"breaches:{pattern.name}", kwargs=kwargs))
    return found


@pytest.mark.parametrize("outsider", ["responder", "viewer"])
def test_pages_are_404_to_outsiders(client, incidents, outsider) -> None:
    restricted, open_incident, evidence = incidents
    make_user("outsider", outsider)
    client.login(username="outsider", password=PASSWORD)
    walked = 0
    for incident in (restricted, open_incident):
        for url in breach_urls(incident.reference, evidence.pk):
            for method in (client.get, client.post):
                response = method(url)
                assert response.status_code == 404, f"{method.__name__} {url}: {response.status_code}"
                assert SECRET_TITLE.encode() not in response.content
                walked += 1
    assert walked == 2 * 2 * len(breach_urls("X", 1))
    for url in ("/breaches/", "/breaches/log.csv"):
        response = client.get(url)
        assert response.status_code == 403
        assert restricted.reference.encode() not in response.content
    assert not EvidenceDownload.objects.exists()


@pytest.mark.parametrize("outsider", ["responder", "viewer"])
def test_api_is_404_to_outsiders(client, incidents, outsider) -> None:
    restricted, open_incident, _ = incidents
    make_user("outsider", outsider)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {create_token('outsider')}"}
    for incident in (restricted, open_incident):
        path = f"/api/v1/incidents/{incident.reference}/breach"
        assert client.get(path, **headers).status_code == 404
        assert client.patch(path, {"nature": "x"}, "application/json", **headers).status_code == 404
        assert client.post(path, **headers).status_code == 404
    response = client.get("/api/v1/breaches?format=csv", **headers)
    assert response.status_code == 403
    assert SECRET_TITLE.encode() not in response.content


def test_the_team_and_security_can_see_it(client, incidents) -> None:
    restricted, open_incident, _ = incidents
    make_user("sec", "security")
    for username in ("lead", "sec"):
        client.login(username=username, password=PASSWORD)
        for incident in (restricted, open_incident):
            assert client.get(f"/breaches/{incident.reference}/").status_code == 200
        response = client.get(f"/breaches/{restricted.reference}/security")
        assert response.status_code == 200
        assert b"sda.img" in response.content
    assert client.get("/breaches/").status_code == 200


def test_someone_who_left_the_team_loses_access(client, incidents) -> None:
    restricted, _, _ = incidents
    helper = make_user("helper")
    incidents_services.join(make_user("boss", "admin"), restricted, helper)
    client.login(username="helper", password=PASSWORD)
    assert client.get(f"/breaches/{restricted.reference}/").status_code == 200
    incidents_services.leave(helper, restricted)
    assert client.get(f"/breaches/{restricted.reference}/").status_code == 404

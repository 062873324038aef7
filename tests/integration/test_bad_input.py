"""Bad input gets a 4xx naming the field and changes nothing; text stored before the rules never breaks an export."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.test import Client

from tests.factories import make_incident, make_service, make_user
from tests.fakes.webhooks import WEBHOOK_SECRET
from watchkeeper.accounts.services import create_token
from watchkeeper.incidents import services as incidents
from watchkeeper.incidents.models import Incident
from watchkeeper.notifications import services as notifications
from watchkeeper.reviews import services as reviews
from watchkeeper.reviews.models import Action, Review

pytestmark = pytest.mark.django_db
MONDAY_10AM = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    with time_machine.travel(MONDAY_10AM, tick=False):
        yield


@pytest.fixture
def ada() -> User:
    return make_user("ada", "responder", "admin")


@pytest.fixture
def incident(ada: User) -> Incident:
    return make_incident(ada, make_service("pay-api"), title="Card payments failing")


def send(client: Client, method: str, path: str, body: Any) -> HttpResponse:
    """Raw JSON, so a lone surrogate escape reaches the server exactly as a client wrote it."""
    raw = body if isinstance(body, str) else json.dumps(body)
    return client.generic(
        method,
        f"/api/v1{path}",
        raw.encode(),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {create_token('ada')}",
    )


def refused(response: HttpResponse, field: str) -> None:
    assert response.status_code == 422, response.content
    assert field in {error["field"] for error in response.json()["errors"]}, response.json()


@pytest.mark.parametrize("bad", ["\\u0000", "\\ud800", "x\\udfffy"])
def test_nul_and_lone_surrogates_are_refused_on_declare_notes_updates_and_reports(client, incident, bad) -> None:
    path = f"/incidents/{incident.reference}"
    refused(send(client, "POST", "/incidents", f'{{"title": "a{bad}", "service": "pay-api"}}'), "title")
    refused(
        send(client, "POST", "/incidents", f'{{"title": "a", "service": "pay-api", "description": "{bad}"}}'),
        "description",
    )
    refused(send(client, "POST", f"{path}/notes", f'{{"body": "{bad}"}}'), "body")
    refused(send(client, "POST", f"{path}/updates", f'{{"body": "{bad}"}}'), "body")
    refused(send(client, "PUT", f"{path}/report", f'{{"sections": {{"overview": "{bad}"}}}}'), "sections.overview")
    assert Incident.objects.count() == 1
    assert not incident.timeline.filter(kind__in=["note", "update"]).exists()


def test_nul_in_a_query_string_or_a_form_is_a_4xx(client, ada, incident) -> None:
    response = client.get("/api/v1/register?service=a%00b", HTTP_AUTHORIZATION=f"Bearer {create_token('ada')}")
    refused(response, "service")
    client.force_login(ada)
    assert client.post("/incidents/declare", {"title": "a\x00b", "service": "pay-api"}).status_code == 400
    assert Incident.objects.count() == 1


def test_every_max_length_is_kept_by_the_services(client, ada, incident) -> None:
    path = f"/incidents/{incident.reference}"
    refused(
        send(client, "POST", f"{path}/actions", {"title": "x" * 301, "owner": "ada", "due_in_business_days": 5}),
        "title",
    )
    link = "https://example.com/" + "x" * 500
    refused(
        send(
            client, "POST", f"{path}/actions", {"title": "Fix", "owner": "ada", "due_in_business_days": 5, "link": link}
        ),
        "link",
    )
    refused(send(client, "POST", f"{path}/checklist", {"step": "team_informed", "note": "x" * 501}), "note")
    refused(send(client, "POST", "/incidents", {"title": "x" * 301, "service": "pay-api"}), "title")
    assert not Action.objects.exists()
    assert Incident.objects.count() == 1


def test_exports_survive_control_characters_stored_before_the_rules(client, ada, incident) -> None:
    # \x01 and \x0b are storable on both databases but not allowed anywhere in XML.
    Incident.objects.filter(pk=incident.pk).update(title="Card\x01 payments\x0b failing", description="a\x02b")
    client.force_login(ada)
    assert client.get("/reviews/register.xlsx").status_code == 200
    assert client.get(f"/reviews/{incident.reference}/report.docx").status_code == 200
    response = client.get("/api/v1/register?format=xlsx", HTTP_AUTHORIZATION=f"Bearer {create_token('ada')}")
    assert response.status_code == 200


def test_odd_numbers_and_dates_are_4xx_not_500(client, ada, incident) -> None:
    assert client.get("/status/history/0").status_code == 404
    assert client.get("/status/history/99999999999999999999").status_code == 404
    assert client.get("/status/incidents/99999999999999999999").status_code == 404
    token = f"Bearer {create_token('ada')}"
    assert client.get("/api/v1/register?to=9999-12-31", HTTP_AUTHORIZATION=token).status_code == 200
    assert client.get("/api/v1/register?from=0001-01-01", HTTP_AUTHORIZATION=token).status_code == 200
    assert send(client, "PATCH", "/actions/99999999999999999999", {}).status_code == 422
    body = {"title": "Old", "service": "pay-api", "reported_at": "0001-01-01T00:00+00:00"}
    refused(send(client, "POST", "/incidents", body), "reported_at")
    assert Incident.objects.count() == 1


@pytest.mark.parametrize("year", [1, 9999])
def test_a_review_planned_for_year_1_or_9999_is_refused(client, ada, incident, year) -> None:
    incidents.resolve(ada, incident, summary="Rolled back")
    proposed = Review.objects.get(incident=incident).proposed_for
    with pytest.raises(ValidationError) as error:
        reviews.schedule_review(ada, incident, proposed_for=datetime(year, 6, 1, 10, tzinfo=UTC))
    assert "proposed_for" in error.value.message_dict
    assert Review.objects.get(incident=incident).proposed_for == proposed


def test_unknown_fields_are_refused_by_name(client, incident) -> None:
    response = send(client, "POST", f"/incidents/{incident.reference}/notes", {"body": "ok", "colour": "red"})
    refused(response, "colour")
    refused(send(client, "POST", "/incidents", {"title": "a", "service": "pay-api", "priorty": "P1"}), "priorty")
    assert not incident.timeline.filter(kind="note").exists()


@pytest.mark.parametrize("body", ["[]", '"x"', "null", "3"])
def test_a_report_body_must_be_an_object(client, incident, body) -> None:
    before = send(client, "GET", f"/incidents/{incident.reference}/report", "").json()["version"]
    response = send(client, "PUT", f"/incidents/{incident.reference}/report", body)
    assert response.status_code == 422, response.content
    assert send(client, "GET", f"/incidents/{incident.reference}/report", "").json()["version"] == before


def test_null_channel_fields_leave_the_channel_as_it_was(client, ada) -> None:
    # Found by the API fuzzing: a null name or target was saved and the PATCH answered 500.

    channel = notifications.create_channel(
        ada, name="hook", kind="webhook", target="https://hooks.example.com/x", secret=WEBHOOK_SECRET
    )
    response = send(client, "PATCH", f"/channels/{channel.pk}", {"name": None, "target": None, "template_id": None})
    assert response.status_code == 200, response.content
    channel.refresh_from_db()
    assert (channel.name, channel.target) == ("hook", "https://hooks.example.com/x")

"""Small things a person notices: the favicon, a quiet log for expected refusals, links back to the incident."""

from __future__ import annotations

import logging
import sys

import pytest
from django.test import Client

from tests.factories import make_incident, make_user
from watchkeeper.logfilters import NoTracebackForClientErrors
from watchkeeper.notifications.messages import plain_text
from watchkeeper.notifications.models import Channel, Delivery, Route
from watchkeeper.web.formatting import when

pytestmark = pytest.mark.django_db


def test_favicon_is_served_without_sign_in(client: Client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith(".ico")
    assert "/images/favicon" in response["Location"]


def test_an_expected_403_is_logged_without_a_traceback(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    viewer = make_user("vic", "viewer")
    incident = make_incident(make_user("ada"))
    client.force_login(viewer)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.post(f"/incidents/{incident.reference}/notes", {"note-kind": "note", "note-body": "x"})
    assert response.status_code == 403
    records = [r for r in caplog.records if r.name == "django.request"]
    assert records and records[0].getMessage().startswith("Forbidden")
    for record in records:
        NoTracebackForClientErrors().filter(record)
        assert record.exc_info is None


def test_a_server_error_keeps_its_traceback() -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Internal", None, sys.exc_info())
    record.status_code = 500
    NoTracebackForClientErrors().filter(record)
    assert record.exc_info is not None


def test_report_and_breach_record_link_back_to_the_incident(client: Client) -> None:
    lead = make_user("lead")
    incident = make_incident(lead, type="personal_data_breach", take_lead=True)
    client.force_login(lead)
    back = f'href="/incidents/{incident.reference}/"'
    assert back in client.get(f"/reviews/{incident.reference}/report").content.decode()
    assert back in client.get(f"/breaches/{incident.reference}/").content.decode()


def test_the_declared_message_names_a_declarer_who_took_the_lead_and_gives_local_times() -> None:
    channel = Channel.objects.create(name="Team email", kind="email", target="team@example.gov.uk")
    Route.objects.create(channel=channel)
    incident = make_incident(make_user("ada"), priority="P1", take_lead=True)
    delivery = Delivery.objects.get(incident=incident, event="incident.declared")
    assert delivery.payload["data"]["incident"]["incident_lead"] == "ada"
    # One message for the declaration: taking the lead in the same step is not announced again.
    assert not Delivery.objects.filter(incident=incident, event="incident.role_changed").exists()
    text = plain_text(delivery.payload)
    assert "Incident lead: ada" in text
    respond_by = when(incident.respond_by, incident.service.timezone)
    assert f"Respond by: {respond_by}" in text
    assert respond_by.endswith(("GMT", "BST"))

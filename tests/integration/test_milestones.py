"""Milestones: stamped as the incident moves, corrected only with a reason and in order, over the API too."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client

from tests.factories import make_incident, make_service, make_user
from watchkeeper.accounts.services import create_token
from watchkeeper.incidents import services as incidents
from watchkeeper.incidents.models import EntryKind, Incident
from watchkeeper.incidents.services import milestones

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def test_milestones_are_stamped_as_the_incident_moves(clock: time_machine.Traveller) -> None:
    lead = make_user("ada")
    incident = make_incident(lead, make_service(), priority="P2", reported_at=T0 - timedelta(minutes=15))
    assert incident.impact_started_at == T0 - timedelta(minutes=15)
    assert incident.detected_at == incident.declared_at == T0
    clock.shift(timedelta(minutes=4))
    incidents.assign_role(lead, incident, "incident_lead", lead)
    clock.shift(timedelta(minutes=30))
    incidents.change_status(lead, incident, "monitoring")
    clock.shift(timedelta(minutes=30))
    incidents.change_status(lead, incident, "investigating")
    incidents.change_status(lead, incident, "monitoring")  # only the first move to monitoring counts
    incidents.resolve(lead, incident, "Rolled back")
    incident.refresh_from_db()
    assert incident.acknowledged_at == incident.responded_at == T0 + timedelta(minutes=4)
    assert incident.mitigated_at == T0 + timedelta(minutes=34)
    assert incident.resolved_at == T0 + timedelta(minutes=64)


def test_resolving_without_monitoring_mitigates_then(clock: time_machine.Traveller) -> None:
    lead = make_user()
    incident = make_incident(lead, make_service(), take_lead=True)
    clock.shift(timedelta(hours=1))
    incidents.resolve(lead, incident, "Fixed")
    incident.refresh_from_db()
    assert incident.mitigated_at == incident.resolved_at == T0 + timedelta(hours=1)


def test_the_first_page_acknowledgement_and_alert_win(clock: time_machine.Traveller) -> None:
    incident = make_incident(make_user(), make_service())
    milestones.record_acknowledged(incident, T0 + timedelta(minutes=3))
    milestones.record_acknowledged(incident, T0 + timedelta(minutes=9))
    milestones.record_detected(incident, T0 - timedelta(minutes=2), impact_started_at=T0 - timedelta(minutes=10))
    incident.refresh_from_db()
    assert incident.acknowledged_at == T0 + timedelta(minutes=3)
    assert incident.detected_at == T0 - timedelta(minutes=2)
    assert incident.impact_started_at == T0 - timedelta(minutes=10)
    with pytest.raises(ValidationError):
        milestones.record_acknowledged(incident, datetime(2026, 11, 30, 10, 5))


def test_a_correction_needs_a_reason_and_keeps_the_order(clock: time_machine.Traveller) -> None:
    lead = make_user()
    incident = make_incident(lead, make_service(), take_lead=True)
    before = {name: getattr(incident, name) for name in milestones.MILESTONES}
    entries = incident.timeline.count()
    cases = [
        ({"responded_at": T0 - timedelta(minutes=5)}, "Fixed it", "responded_at"),
        ({"responded_at": T0 + timedelta(minutes=5)}, "", "reason"),
        ({"responded_at": T0 + timedelta(hours=1)}, "Future", "responded_at"),
        ({"resolved_at": T0}, "Not resolved", "resolved_at"),
        ({"bogus_at": T0}, "Unknown", "bogus_at"),
    ]
    for changes, reason, field in cases:
        with pytest.raises(ValidationError) as raised:
            milestones.correct_milestones(lead, incident, changes, reason)
        assert field in raised.value.message_dict, (changes, raised.value.message_dict)
    incident.refresh_from_db()
    assert {name: getattr(incident, name) for name in milestones.MILESTONES} == before
    assert incident.timeline.count() == entries

    clock.shift(timedelta(hours=1))
    milestones.correct_milestones(
        lead, incident, {"impact_started_at": T0 - timedelta(minutes=20)}, "Users saw errors from 09:40", exercise=True
    )
    incident.refresh_from_db()
    assert incident.impact_started_at == T0 - timedelta(minutes=20) and incident.exercise
    entry = incident.timeline.get(kind=EntryKind.MILESTONE)
    assert "Users saw errors from 09:40" in entry.text and entry.author == lead


def test_the_api_corrects_and_refuses_with_the_field_named(clock: time_machine.Traveller) -> None:
    lead = make_user("ada")
    incident = make_incident(lead, make_service(), take_lead=True)
    client = Client(headers={"Authorization": f"Bearer {create_token('ada')}"})
    url = f"/api/v1/incidents/{incident.reference}/milestones"
    clock.shift(timedelta(hours=2))
    bad = client.post(
        url, {"responded_at": "2026-11-30T09:00:00+00:00", "reason": "x"}, content_type="application/json"
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "responded_at"
    missing = client.post(url, {"responded_at": "2026-11-30T10:01:00+00:00"}, content_type="application/json")
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "reason"
    assert Incident.objects.get(pk=incident.pk).responded_at == T0
    ok = client.post(
        url,
        {"responded_at": "2026-11-30T10:01:00+00:00", "reason": "Lead took it by phone"},
        content_type="application/json",
    )
    assert ok.status_code == 200, ok.content
    assert ok.json()["milestones"]["responded_at"].startswith("2026-11-30T10:01:00")
    assert client.get(url).json()["milestones"]["responded_at"].startswith("2026-11-30T10:01:00")
    viewer = make_user("vic", "viewer")
    as_viewer = Client(headers={"Authorization": f"Bearer {create_token(viewer.username)}"})
    assert as_viewer.post(url, {"reason": "x", "exercise": True}, content_type="application/json").status_code == 403


def test_the_milestones_page_corrects_with_a_reason_and_shows_errors(clock: time_machine.Traveller) -> None:
    lead = make_user("ada")
    incident = make_incident(lead, make_service(), take_lead=True)
    client = Client()
    client.force_login(lead)
    url = f"/incidents/{incident.reference}/milestones"
    page = client.get(url)
    assert page.status_code == 200 and "Save milestones" in page.content.decode()
    incident_page = client.get(f"/incidents/{incident.reference}/").content.decode()
    assert f'href="{url}"' in incident_page
    clock.shift(timedelta(hours=1))
    form = {"version": incident.version, "responded_at": "2026-11-30 09:00", "reason": "Phoned it in"}
    refused = client.post(url, form)
    assert refused.status_code == 200
    assert "cannot be before" in refused.content.decode() and "There is a problem" in refused.content.decode()
    assert Incident.objects.get(pk=incident.pk).responded_at == T0
    form.update(responded_at="2026-11-30 10:02", exercise="on")
    assert client.post(url, form).status_code == 302
    incident.refresh_from_db()
    assert incident.responded_at == datetime(2026, 11, 30, 10, 2, tzinfo=UTC) and incident.exercise
    assert "Exercise: left out of insights" in client.get("/").content.decode()

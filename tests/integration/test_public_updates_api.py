"""A public update over the API is posted on the status page or refused: never a 201 while the public page says
nothing. Refused (409) while the incident is not on the status page, saying how to publish it; restricted incidents
keep their rule that only an admin's confirmation makes anything public."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.http import HttpResponse
from django.test import Client

from tests.factories import make_component, make_incident, make_service, make_user
from watchkeeper.accounts.services import create_token
from watchkeeper.incidents import services as incidents
from watchkeeper.incidents.models import Incident
from watchkeeper.statuspage.models import PublicIncident

pytestmark = pytest.mark.django_db

# Monday 30 November 2026, 10:00 GMT.
MONDAY_10AM = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
TEXT = "Card payments fail for everyone"


@pytest.fixture(autouse=True)
def _environment(settings: Any, tmp_path: Path) -> Iterator[time_machine.Traveller]:
    settings.STATUSPAGE_SNAPSHOT_DIR = tmp_path / "snapshot"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(MONDAY_10AM, tick=False) as traveller:
        yield traveller


@pytest.fixture
def people() -> dict[str, User]:
    return {"ada": make_user("ada", "responder"), "vic": make_user("vic", "viewer"), "root": make_user("root", "admin")}


@pytest.fixture
def incident(people: dict[str, User]) -> Incident:
    service = make_service("pay-api", name="Payments")
    make_component(service, "card", name="Card payments")
    return make_incident(people["ada"], service, title="db01 disk full", priority="P1")


def call(who: str, path: str, body: dict[str, Any]) -> HttpResponse:
    return Client().post(f"/api/v1{path}", body, "application/json", HTTP_AUTHORIZATION=f"Bearer {create_token(who)}")  # type: ignore[return-value]


def public_update(who: str, incident: Incident, **extra: Any) -> HttpResponse:
    return call(who, f"/incidents/{incident.reference}/updates", {"body": TEXT, "public": True, **extra})


def publish(who: str, incident: Incident, **extra: Any) -> HttpResponse:
    body = {"incident": incident.reference, "title": "Card payments are failing", "body": "We are looking.", **extra}
    return call(who, "/status/incidents", body)


def update_texts(incident: Incident) -> list[str]:
    return list(incident.timeline.filter(kind="update").order_by("id").values_list("text", flat=True))


def public_bodies(incident: Incident) -> list[str]:
    public = PublicIncident.objects.filter(incident=incident).get()
    return list(public.updates.order_by("pk").values_list("body", flat=True))


def test_a_public_update_before_publishing_is_refused_and_says_how_to_publish(
    incident: Incident, _environment: time_machine.Traveller
) -> None:
    _environment.shift(timedelta(minutes=30))
    refused = public_update("ada", incident)
    assert refused.status_code == 409, refused.content
    detail = refused.json()["detail"]
    assert f"{incident.reference} is not on the status page, so nothing was posted" in detail
    assert "POST /api/v1/status/incidents" in detail
    # The same pre-filled form the incident page opens, so the person only adds the public title.
    assert f"http://testserver/status/publish/incidents/{incident.reference}?body=Card+payments+fail" in detail
    # Nothing happened: no update on the timeline, no public incident, and the update clock still runs.
    after = Incident.objects.get(pk=incident.pk)
    assert update_texts(after) == []
    assert not PublicIncident.objects.exists()
    assert (after.version, after.last_update_at, after.next_update_due) == (
        incident.version,
        incident.last_update_at,
        incident.next_update_due,
    )


def test_once_published_a_public_update_reaches_the_status_page(incident: Incident) -> None:
    assert publish("ada", incident).status_code == 201
    posted = public_update("ada", incident)
    assert posted.status_code == 201, posted.content
    assert posted.json()["timeline"][-1]["public"] is True
    assert public_bodies(incident) == ["We are looking.", TEXT]


def test_an_internal_update_needs_no_status_page(incident: Incident) -> None:
    posted = call("ada", f"/incidents/{incident.reference}/updates", {"body": TEXT, "public": False})
    assert posted.status_code == 201
    assert update_texts(Incident.objects.get(pk=incident.pk)) == [TEXT]


def test_a_reopened_incident_whose_public_incident_was_resolved_is_published_again_first(incident: Incident) -> None:
    ada = User.objects.get(username="ada")
    assert publish("ada", incident).status_code == 201
    resolved = incidents.resolve(ada, incident, "Disk cleared")
    public = PublicIncident.objects.get()
    call("ada", f"/status/incidents/{public.pk}/updates", {"status": "resolved"})
    incidents.reopen(ada, resolved, "Full again")
    refused = public_update("ada", incident)
    assert refused.status_code == 409
    assert "not on the status page" in refused.json()["detail"]
    assert public.updates.count() == 2


def test_a_resolved_incident_is_refused_for_being_resolved(incident: Incident) -> None:
    incidents.resolve(User.objects.get(username="ada"), incident, "Disk cleared")
    refused = public_update("ada", incident)
    assert refused.status_code == 422
    assert "reopen it to post updates" in refused.json()["detail"]


def test_a_viewer_is_refused_as_for_any_change(incident: Incident) -> None:
    assert public_update("vic", incident).status_code == 403


def test_a_restricted_incident_is_published_and_updated_in_public_only_by_an_admin_who_confirms(
    people: dict[str, User], incident: Incident
) -> None:
    incident = incidents.change_type(people["ada"], incident, "security_incident", "Someone got in")
    assert incident.restricted
    refused = public_update("ada", incident)
    assert refused.status_code == 409
    detail = refused.json()["detail"]
    assert "you cannot publish it" in detail and "ask an admin to publish it" in detail
    assert "/status/publish/" not in detail
    # An admin hears how to publish; publishing itself needs the explicit confirmation.
    assert "POST /api/v1/status/incidents" in public_update("root", incident, confirm_restricted=True).json()["detail"]
    assert publish("root", incident).status_code == 403
    assert not PublicIncident.objects.exists()
    assert publish("root", incident, confirm_restricted=True).status_code == 201

    assert public_update("ada", incident).status_code == 422
    assert public_update("ada", incident, confirm_restricted=True).status_code == 403
    assert public_update("root", incident).status_code == 422
    assert public_bodies(incident) == ["We are looking."]
    assert public_update("root", incident, confirm_restricted=True).status_code == 201
    assert public_bodies(incident) == ["We are looking.", TEXT]

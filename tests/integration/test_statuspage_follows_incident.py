"""The status page follows the incident: a public update never claims success it did not have, a status change on
a published incident offers the matching public post, and every publish is on the incident's timeline."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from tests.factories import make_component, make_incident, make_service, make_user
from watchkeeper.incidents import services as incidents
from watchkeeper.incidents.models import Incident
from watchkeeper.statuspage import services
from watchkeeper.statuspage.models import PublicIncident
from watchkeeper.statuspage.vocabulary import IncidentStatus, message_template, plain_list

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _snapshot_dir(settings: Any, tmp_path: Path) -> None:
    settings.STATUSPAGE_SNAPSHOT_DIR = tmp_path / "snapshot"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def world() -> dict[str, Any]:
    lead = make_user("comms")
    service = make_service("licences", name="Apply for a licence")
    form = make_component(service, "form", name="Licence applications")
    pay = make_component(service, "pay", name="Licence payments")
    incident = make_incident(lead, service, title="db01 disk full", priority="P1")
    return {"lead": lead, "service": service, "form": form, "pay": pay, "incident": incident}


def _publish(world: dict[str, Any], **extra: Any) -> PublicIncident:
    return services.publish_incident(
        world["lead"],
        world["incident"],
        name="Licence applications cannot be submitted",
        component_statuses={world["form"]: "major_outage"},
        **extra,
    )


@pytest.mark.parametrize("status", list(IncidentStatus))
def test_standard_wording_names_the_components_for_every_status(world: dict[str, Any], status: str) -> None:
    public = _publish(world)
    update = services.post_update(world["lead"], public, status=status, body="")
    assert "Licence applications cannot be submitted" not in update.body
    assert update.body == message_template(status, "Licence applications")
    expected = {
        "investigating": "We are investigating a problem with Licence applications.",
        "identified": "We have found the cause of the problem with Licence applications",
        "monitoring": "We have fixed the problem with Licence applications.",
        "resolved": "The problem with Licence applications is resolved.",
    }[status]
    assert update.body.startswith(expected)


def test_wording_without_components_names_the_service() -> None:
    assert plain_list([]) == ""
    assert plain_list(["A", "B", "C"]) == "A, B and C"
    assert message_template("investigating", "Apply for a licence").startswith(
        "We are investigating a problem with Apply for a licence."
    )


def test_a_resolved_p1_keeps_its_impact(world: dict[str, Any]) -> None:
    public = _publish(world)
    assert public.impact == "critical"
    services.post_update(world["lead"], public, status="resolved", body="")
    public.refresh_from_db()
    assert (public.status, public.impact) == ("resolved", "critical")
    assert services.current_status(world["form"]) == "operational"


def test_each_publish_is_on_the_timeline_and_resets_the_update_clock(world: dict[str, Any]) -> None:
    incident: Incident = world["incident"]
    with time_machine.travel(timezone.now() + timedelta(minutes=30), tick=False):
        public = _publish(world, body="We are looking into it.")
        incident.refresh_from_db()
        assert incident.last_update_at == timezone.now()
        assert incident.next_update_due == timezone.now() + timedelta(hours=1)
        entry = incident.timeline.filter(kind="update").get()
        assert entry.public
        assert entry.text.startswith("Published on the status page as \u201cLicence applications cannot be")
    with time_machine.travel(timezone.now() + timedelta(minutes=50), tick=False):
        services.post_update(world["lead"], public, status="identified", body="We know why.")
        incident.refresh_from_db()
        assert incident.next_update_due == timezone.now() + timedelta(hours=1)
    texts = list(incident.timeline.filter(kind="update").order_by("id").values_list("text", flat=True))
    assert texts[-1] == "On the status page (Identified): We know why."


def test_a_public_internal_update_is_on_the_timeline_once(world: dict[str, Any]) -> None:
    public = _publish(world)
    incidents.post_update(world["lead"], world["incident"], "Still looking.", public=True)
    assert world["incident"].timeline.filter(kind="update").count() == 2
    assert public.updates.count() == 2


def test_ticking_public_before_publishing_opens_the_publish_form_and_posts_nothing(
    world: dict[str, Any], client: Client
) -> None:
    incident: Incident = world["incident"]
    client.force_login(world["lead"])
    response = client.post(
        f"/incidents/{incident.reference}/updates",
        {"update-body": "Applications fail for everyone.", "update-public": "on", "update-version": incident.version},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(f"/status/publish/incidents/{incident.reference}?body=")
    assert not incident.timeline.filter(kind="update").exists()
    form = client.get(response["Location"])
    content = form.content.decode()
    assert "Nothing is public yet" in content
    assert "Applications fail for everyone." in content
    # The service's components come ticked and a P1 defaults to a major outage.
    assert f'value="{world["form"].pk}" checked' in content
    assert f'value="{world["pay"].pk}" checked' in content
    assert 'value="major_outage" checked' in content


def test_a_restricted_incident_is_not_published_by_a_responder_ticking_public(
    world: dict[str, Any], client: Client
) -> None:
    secret = make_incident(world["lead"], world["service"], title="Breach", type="security_incident")
    client.force_login(world["lead"])
    response = client.post(
        f"/incidents/{secret.reference}/updates",
        {"update-body": "Some accounts affected", "update-public": "on", "update-version": secret.version},
    )
    assert response.status_code == 200
    assert "ask an admin to publish it" in response.content.decode()
    assert not PublicIncident.objects.exists()
    assert not secret.timeline.filter(kind="update").exists()


def test_a_status_change_on_a_published_incident_offers_the_matching_public_update(
    world: dict[str, Any], client: Client
) -> None:
    incident: Incident = world["incident"]
    public = _publish(world)
    client.force_login(world["lead"])
    incident.refresh_from_db()
    page = client.get(f"/incidents/{incident.reference}/").content.decode()
    assert "Update the status page" in page
    response = client.post(
        f"/incidents/{incident.reference}/status",
        {"status-status": "monitoring", "status-version": incident.version},
    )
    assert response["Location"] == f"/status/publish/{public.pk}?status=monitoring&from=incident"
    incident.refresh_from_db()
    # Until the public post is made the incident page and the dashboard say the public page is behind.
    assert "Status page still says Investigating" in client.get(f"/incidents/{incident.reference}/").content.decode()
    assert "Status page still says Investigating" in client.get("/").content.decode()
    offer = client.get(response["Location"]).content.decode()
    assert "We have fixed the problem with Licence applications." in offer
    posted = client.post(
        response["Location"],
        {"status": "monitoring", "body": "We have fixed it.", "component_status": "operational", "notify": "on"},
    )
    assert posted["Location"] == f"/incidents/{incident.reference}/#summary"
    public.refresh_from_db()
    assert public.status == "monitoring"
    assert "Status page still says" not in client.get("/").content.decode()


def test_resolving_offers_components_back_to_operational(world: dict[str, Any], client: Client) -> None:
    incident: Incident = world["incident"]
    _publish(world)
    client.force_login(world["lead"])
    incident.refresh_from_db()
    response = client.post(
        f"/incidents/{incident.reference}/status",
        {"status-status": "resolved", "status-summary": "Disk cleared", "status-version": incident.version},
    )
    offer = client.get(response["Location"]).content.decode()
    assert "The problem with Licence applications is resolved." in offer
    assert f'value="{world["form"].pk}" checked' in offer
    assert 'value="operational" checked' in offer


def test_publish_form_errors_name_their_fields(world: dict[str, Any], client: Client) -> None:
    client.force_login(world["lead"])
    page = client.post(f"/status/publish/incidents/{world['incident'].reference}", {}).content.decode()
    assert "This field is required" not in page
    for expected in ["Enter a public title that says how users are affected", "Choose the status the public will see"]:
        assert expected in page
    assert not PublicIncident.objects.exists()

"""An incident restricted after it was published says nothing more in public without an admin's confirmation,
by the API, the incident page, Slack or the status page's own pages; outsiders cannot even open its public record."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.factories import make_component, make_incident, make_service, make_user
from tests.fakes.slack_web import FakeSlackWeb
from tests.integration.test_slack_interactions import open_update_modal, submit, update_values
from watchkeeper.accounts.services import create_token
from watchkeeper.domain.workflow import Step
from watchkeeper.incidents import services as incidents
from watchkeeper.incidents.checklist import checklist
from watchkeeper.incidents.models import Incident
from watchkeeper.statuspage import services as statuspage
from watchkeeper.statuspage.models import PublicIncident

pytestmark = pytest.mark.django_db

SECRET = "Customer records copied to an unknown host"


@pytest.fixture(autouse=True)
def snapshot_dir(settings: Any, tmp_path: Path) -> Path:
    settings.STATUSPAGE_SNAPSHOT_DIR = tmp_path / "snapshot"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return tmp_path / "snapshot"


@pytest.fixture
def people() -> dict[str, User]:
    # alice is U1 in the fake Slack workspace; she declares, so she stays on the incident's team.
    return {
        "alice": make_user("alice"),
        "otto": make_user("otto"),
        "root": make_user("root", "admin"),
    }


@pytest.fixture
def published(people: dict[str, User]) -> tuple[Incident, PublicIncident]:
    service = make_service("payments", name="Payments")
    make_component(service, "api", name="Payments API")
    incident = make_incident(people["alice"], service, title=SECRET)
    public = statuspage.publish_incident(people["alice"], incident, name="Payments are slow", body="Looking")
    incident = incidents.change_type(people["alice"], incident, "personal_data_breach", "Records were copied")
    assert incident.restricted
    return incident, public


def api_update(who: str, reference: str, **body: Any) -> Any:
    return Client().post(
        f"/api/v1/incidents/{reference}/updates",
        {"body": "Records are safe now", "public": True, **body},
        "application/json",
        HTTP_AUTHORIZATION=f"Bearer {create_token(who)}",
    )


def refused_text_on_timeline(incident: Incident) -> bool:
    """The refused words reached the timeline (publishing itself puts its own words there, and may)."""
    return incident.timeline.filter(kind="update", text__contains="Records are safe now").exists()


def bodies(public: PublicIncident) -> list[str]:
    return list(public.updates.order_by("pk").values_list("body", flat=True))


def test_the_api_refuses_a_public_update_unless_an_admin_confirms(published: tuple[Incident, PublicIncident]) -> None:
    incident, public = published
    refused = api_update("alice", incident.reference)
    assert refused.status_code == 422, refused.content
    assert {e["field"] for e in refused.json()["errors"]} == {"public"}
    assert api_update("alice", incident.reference, confirm_restricted=True).status_code == 403
    assert api_update("root", incident.reference).status_code == 422
    assert bodies(public) == ["Looking"]
    assert not refused_text_on_timeline(incident)

    assert api_update("root", incident.reference, confirm_restricted=True).status_code == 201
    assert bodies(public) == ["Looking", "Records are safe now"]
    # An internal update is the team's own business and needs no one's confirmation.
    assert api_update("alice", incident.reference, public=False).status_code == 201
    assert bodies(public) == ["Looking", "Records are safe now"]


def test_the_incident_page_refuses_a_public_update_unless_an_admin_confirms(
    published: tuple[Incident, PublicIncident], people: dict[str, User], client: Client
) -> None:
    incident, public = published
    url = f"/incidents/{incident.reference}/updates"
    form = {"update-body": "Records are safe now", "update-public": "on", "update-version": incident.version}
    client.force_login(people["alice"])
    page = client.get(f"/incidents/{incident.reference}/").content.decode()
    assert "a public update is posted only if an admin confirms it" in page
    refused = client.post(url, form)
    assert refused.status_code == 200
    assert "There is a problem" in refused.content.decode()
    assert "needs an admin to confirm it" in refused.content.decode()
    assert bodies(public) == ["Looking"]

    client.force_login(people["root"])
    assert client.post(url, {**form, "update-confirm_restricted": "on"}).status_code == 302
    assert bodies(public) == ["Looking", "Records are safe now"]


def test_slack_refuses_a_public_update_on_a_restricted_incident(
    published: tuple[Incident, PublicIncident], people: dict[str, User], slack: FakeSlackWeb
) -> None:
    incident, public = published
    view = open_update_modal(slack, incident)
    answer = submit(view, update_values("Records are safe now"))
    assert answer["response_action"] == "errors"
    assert "needs an admin to confirm it" in answer["errors"]["audience"]
    component = public.incident.service.components.get()  # type: ignore[union-attr]
    answer = submit(view, update_values("Records are safe now", component, status="operational"))
    assert answer["response_action"] == "errors"
    assert bodies(public) == ["Looking"]
    assert not refused_text_on_timeline(incident)


def test_the_public_record_is_frozen_on_the_status_pages_own_form(
    published: tuple[Incident, PublicIncident], people: dict[str, User], client: Client
) -> None:
    _, public = published
    url = f"/status/publish/{public.pk}"
    form = {"status": "identified", "body": "Found it", "component_status": "operational"}
    client.force_login(people["alice"])
    assert "Frozen: its incident is restricted" in client.get(url).content.decode()
    refused = client.post(url, form)
    assert refused.status_code == 200 and "frozen" in refused.content.decode()
    assert bodies(public) == ["Looking"]
    client.force_login(people["root"])
    assert client.post(url, {**form, "confirm_restricted": "on"}).status_code == 302
    assert bodies(public) == ["Looking", "Found it"]


def test_an_outsider_cannot_open_or_post_to_a_restricted_incidents_public_record(
    published: tuple[Incident, PublicIncident], people: dict[str, User], client: Client
) -> None:
    incident, public = published
    url = f"/status/publish/{public.pk}"
    client.force_login(people["otto"])
    page = client.get(url)
    assert page.status_code == 404
    assert incident.reference not in page.content.decode()
    posted = client.post(url, {"status": "identified", "body": "Found it", "component_status": "operational"})
    assert posted.status_code == 404
    assert bodies(public) == ["Looking"]
    with pytest.raises(Exception, match="cannot see"):
        statuspage.post_update(people["otto"], public, status="identified", body="Found it")
    # Publishing ticked step 6 for the team; nothing the outsider did changed who or when.
    step = next(s for s in checklist(incident) if s.step is Step.WIDER_AUDIENCE_TOLD)
    assert step.done_by == "alice"

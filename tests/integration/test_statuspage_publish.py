"""Publishing: public incidents from internal ones, updates, component statuses, impact, restricted incidents."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.factories import make_component, make_incident, make_service, make_user
from watchkeeper.incidents import services as incidents
from watchkeeper.statuspage import services
from watchkeeper.statuspage.models import PublicIncident, StatusPeriod
from watchkeeper.statuspage.uptime import histories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def snapshot_dir(settings: Any, tmp_path: Path) -> Path:
    settings.STATUSPAGE_SNAPSHOT_DIR = tmp_path / "snapshot"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return tmp_path / "snapshot"


def run_tasks() -> None:
    """Runs every due task in this thread, as the database worker would (its own loop closes connections,
    which a test transaction cannot survive on PostgreSQL); a failing task fails the test."""
    while (result := DBTaskResult.objects.ready().order_by("-priority", "enqueued_at").first()) is not None:
        result.claim("test")
        try:
            value = result.task.call(*result.task_result.args, **result.task_result.kwargs)
        except Exception as error:
            result.set_failed(error)
            raise
        result.set_successful(value)


@pytest.fixture
def world() -> dict[str, Any]:
    lead = make_user("comms")
    service = make_service("payments", name="Pay for things")
    api = make_component(service, "api", name="Payments API")
    web = make_component(service, "web", name="Payment pages")
    incident = make_incident(lead, service, title="db01 disk full, payments erroring")
    return {"lead": lead, "service": service, "api": api, "web": web, "incident": incident}


def publish(world: dict[str, Any], **extra: Any) -> PublicIncident:
    fields: dict[str, Any] = {
        "name": "Payments are failing",
        "body": "Some payments are failing. We are looking into it.",
        "component_statuses": {world["api"]: "major_outage", world["web"]: "degraded_performance"},
    }
    fields.update(extra)
    return services.publish_incident(world["lead"], world["incident"], **fields)


def test_publishing_sets_component_statuses_and_derives_impact(world: dict[str, Any]) -> None:
    public = publish(world)
    assert public.impact == "critical"
    assert services.current_status(world["api"]) == "major_outage"
    assert services.current_status(world["web"]) == "degraded_performance"
    update = public.updates.get()
    assert {(a.component.slug, a.old_status, a.new_status) for a in update.affected.all()} == {
        ("api", "operational", "major_outage"),
        ("web", "operational", "degraded_performance"),
    }
    # Public wording is the comms lead's, never the internal title.
    assert "db01" not in public.name


def test_impact_override_wins_over_components(world: dict[str, Any]) -> None:
    assert publish(world, impact_override="minor").impact == "minor"


def test_resolving_puts_components_back_and_closes_the_period(world: dict[str, Any]) -> None:
    public = publish(world)
    services.post_update(world["lead"], public, status="resolved", body="")
    public.refresh_from_db()
    assert public.resolved_at is not None
    # A resolved incident keeps the impact it had; only the components go back to operational.
    assert public.impact == "critical"
    assert services.current_status(world["api"]) == "operational"
    assert public.updates.first().body.startswith("The problem with Payment pages and Payments API is resolved")
    assert StatusPeriod.objects.filter(component=world["api"], status="major_outage", ended_at__isnull=False).exists()


def test_restricted_incident_needs_an_admin_and_a_confirmation(world: dict[str, Any]) -> None:
    secret = make_incident(world["lead"], world["service"], title="Breach", type="security_incident")
    with pytest.raises(PermissionDenied):
        services.publish_incident(world["lead"], secret, name="Problem", body="x")
    admin = make_user("boss", "admin")
    with pytest.raises(PermissionDenied):
        services.publish_incident(admin, secret, name="Problem", body="x")
    assert services.publish_incident(admin, secret, name="Problem", body="x", confirm_restricted=True).pk
    assert PublicIncident.objects.count() == 1


def test_viewers_cannot_publish(world: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied):
        services.publish_incident(make_user("v", "viewer"), world["incident"], name="x", body="y")


def test_bad_input_is_refused_and_changes_nothing(world: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as error:
        publish(world, name=" ", status="on fire")
    assert set(error.value.message_dict) == {"name", "status"}
    assert not PublicIncident.objects.exists()
    assert not StatusPeriod.objects.exists()


def test_backfilled_update_notifies_nobody_and_records_history(world: dict[str, Any]) -> None:
    now = timezone.now()
    public = publish(
        world, display_at=now - timedelta(hours=5), component_statuses={world["api"]: "partial_outage"}, notify=True
    )
    services.post_update(world["lead"], public, status="resolved", display_at=now - timedelta(hours=3), notify=True)
    assert not public.updates.filter(notify=True).exists()
    history = histories([world["api"].pk], now, "Europe/London")[world["api"].pk]
    # Two hours of partial outage at 30% weight over the 90-day window.
    assert 99.9 < history.uptime_percent < 100
    assert sum(day.seconds.get("partial_outage", 0) for day in history.days) == pytest.approx(7200, abs=1)
    assert services.current_status(world["api"]) == "operational"


def test_a_public_internal_update_is_posted_on_the_public_incident(world: dict[str, Any]) -> None:
    public = publish(world)
    incidents.post_update(world["lead"], world["incident"], "We have found the cause.", public=True)
    incidents.post_update(world["lead"], world["incident"], "Internal: restarted db01", public=False)
    bodies = list(public.updates.values_list("body", flat=True))
    assert bodies[0] == "We have found the cause."
    assert not any("db01" in body for body in bodies)


def test_publishing_pages_need_sign_in_and_work(world: dict[str, Any], client: Client) -> None:
    assert client.get("/status/publish/").status_code == 302
    client.force_login(world["lead"])
    assert client.get("/status/publish/").status_code == 200
    page = client.get(f"/status/publish/incidents/{world['incident'].reference}")
    assert page.status_code == 200
    response = client.post(
        f"/status/publish/incidents/{world['incident'].reference}",
        {
            "name": "Payments slow",
            "status": "investigating",
            "body": "",
            "components": [str(world["api"].pk)],
            "component_status": "partial_outage",
            "notify": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    public = PublicIncident.objects.get()
    assert public.impact == "major"
    # Back to the incident, whose summary now shows what the public sees.
    assert response["Location"] == f"/incidents/{world['incident'].reference}/#summary"
    detail = client.get(f"/status/publish/{public.pk}")
    assert detail.status_code == 200
    assert b"Payments slow" in detail.content
    errors = client.post(f"/status/publish/{public.pk}", {"status": "", "component_status": "operational"})
    assert errors.status_code == 200
    assert b"There is a problem" in errors.content
    run_tasks()


def test_a_restricted_incident_is_published_only_by_an_admin_who_confirms(
    world: dict[str, Any], client: Client
) -> None:
    secret = make_incident(world["lead"], world["service"], title="Breach", type="personal_data_breach")
    url = f"/status/publish/incidents/{secret.reference}"
    client.force_login(world["lead"])
    assert client.get(url).status_code == 403
    client.force_login(make_user("boss", "admin"))
    fields = {"name": "Some accounts affected", "status": "investigating", "component_status": "operational"}
    refused = client.post(url, fields)
    assert b"only when an admin confirms" in refused.content
    assert not PublicIncident.objects.exists()
    assert client.post(url, {**fields, "confirm_restricted": "on"}).status_code == 302
    assert PublicIncident.objects.get().incident == secret


def test_maintenance_updates_use_maintenance_statuses(world: dict[str, Any], client: Client) -> None:
    start = timezone.now() + timedelta(hours=2)
    public = services.schedule_maintenance(
        world["lead"], name="Upgrade", body="Short.", components=[world["api"]], scheduled_for=start,
        scheduled_until=start + timedelta(hours=1),
    )  # fmt: skip
    client.force_login(world["lead"])
    page = client.get(f"/status/publish/{public.pk}").content.decode()
    assert 'value="in_progress"' in page
    assert 'value="investigating"' not in page
    response = client.post(
        f"/status/publish/{public.pk}",
        {"status": "in_progress", "component_status": "under_maintenance", "components": [str(world["api"].pk)],
         "body": "Started early."},
    )  # fmt: skip
    assert response.status_code == 302
    assert services.current_status(world["api"]) == "under_maintenance"
    with pytest.raises(ValidationError):
        services.post_update(world["lead"], public, status="investigating", body="x")

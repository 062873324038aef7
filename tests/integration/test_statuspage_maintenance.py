"""Scheduled maintenance starts and completes itself at the window's edges, and reminds subscribers first."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from tests.integration.test_statuspage_publish import run_tasks, snapshot_dir, world  # noqa: F401
from watchkeeper.statuspage import services
from watchkeeper.statuspage.models import PublicIncident, Subscriber

pytestmark = pytest.mark.django_db


def schedule(world: dict[str, Any], start: Any) -> PublicIncident:  # noqa: F811
    return services.schedule_maintenance(
        world["lead"],
        name="Database upgrade",
        body="Payments will be unavailable for up to an hour.",
        components=[world["api"]],
        scheduled_for=start,
        scheduled_until=start + timedelta(hours=1),
    )


def test_the_window_opens_and_closes_itself(world: dict[str, Any]) -> None:  # noqa: F811
    now = timezone.now()
    Subscriber.objects.create(email="s@example.com", created_at=now, confirmed_at=now)
    start = now + timedelta(hours=3)
    public = schedule(world, start)
    run_tasks()
    assert [m.subject for m in mail.outbox] == ["[Watchkeeper status] Scheduled: Database upgrade"]
    public.refresh_from_db()
    assert public.status == "scheduled"
    with time_machine.travel(start - timedelta(minutes=59), tick=False):
        run_tasks()
        assert mail.outbox[-1].subject == "[Watchkeeper status] Starting soon: Database upgrade"
    with time_machine.travel(start + timedelta(seconds=1), tick=False):
        run_tasks()
        public.refresh_from_db()
        assert public.status == "in_progress"
        assert services.current_status(world["api"]) == "under_maintenance"
    with time_machine.travel(start + timedelta(hours=1, seconds=1), tick=False):
        run_tasks()
        public.refresh_from_db()
        assert public.status == "completed"
        assert public.resolved_at is not None
        assert services.current_status(world["api"]) == "operational"
    assert [m.subject.split("] ")[1] for m in mail.outbox] == [
        "Scheduled: Database upgrade",
        "Starting soon: Database upgrade",
        "In progress: Database upgrade",
        "Completed: Database upgrade",
    ]


def test_a_task_firing_early_or_twice_changes_nothing(world: dict[str, Any]) -> None:  # noqa: F811
    start = timezone.now() + timedelta(hours=1)
    public = schedule(world, start)
    assert not services.start_maintenance_if_due(public.pk)
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        assert services.start_maintenance_if_due(public.pk)
        assert not services.start_maintenance_if_due(public.pk)
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        assert services.complete_maintenance_if_due(public.pk)
        assert not services.complete_maintenance_if_due(public.pk)
    assert public.updates.count() == 3


def test_a_late_worker_still_records_the_window(world: dict[str, Any]) -> None:  # noqa: F811
    start = timezone.now() + timedelta(hours=1)
    public = schedule(world, start)
    with time_machine.travel(start + timedelta(hours=5), tick=False):
        assert services.complete_maintenance_if_due(public.pk)
    assert list(public.updates.order_by("display_at", "id").values_list("status", flat=True)) == [
        "scheduled",
        "in_progress",
        "completed",
    ]


def test_bad_windows_are_refused(world: dict[str, Any]) -> None:  # noqa: F811
    now = timezone.now()
    with pytest.raises(ValidationError) as error:
        services.schedule_maintenance(
            world["lead"], name="", body="", components=[], scheduled_for=now - timedelta(days=1), scheduled_until=now
        )
    assert {"name", "body", "scheduled_for"} <= set(error.value.message_dict)
    with pytest.raises(ValidationError) as error:
        services.schedule_maintenance(
            world["lead"],
            name="x",
            body="y",
            components=[],
            scheduled_for=now + timedelta(hours=2),
            scheduled_until=now,
        )
    assert set(error.value.message_dict) == {"scheduled_until"}
    assert not PublicIncident.objects.exists()


def test_scheduling_through_the_page(world: dict[str, Any], client: Client) -> None:  # noqa: F811
    client.force_login(world["lead"])
    assert client.get("/status/publish/maintenance/new").status_code == 200
    start = timezone.localtime(timezone.now() + timedelta(days=2))
    response = client.post(
        "/status/publish/maintenance/new",
        {
            "name": "Upgrade",
            "body": "Short interruption.",
            "components": [str(world["web"].pk)],
            "scheduled_for": start.strftime("%Y-%m-%d %H:%M"),
            "scheduled_until": (start + timedelta(hours=1)).strftime("%Y-%m-%d %H:%M"),
            "notify": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    bad = client.post("/status/publish/maintenance/new", {"name": "x", "body": "y", "scheduled_for": "tomorrow"})
    assert b"Enter the time as YYYY-MM-DD HH:MM" in bad.content

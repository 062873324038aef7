"""An alert's page is made while the sender waits and notified by a task: timed from the trigger, and silent when
someone acknowledged it first."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.factories import make_contact, make_integration, make_policy, make_user
from tests.fakes.worker import run_tasks, run_until
from watchkeeper.oncall import services as oncall
from watchkeeper.oncall import tasks
from watchkeeper.oncall.models import Page, PageNotification

pytest_plugins = ["tests.fakes.fixtures"]
pytestmark = pytest.mark.django_db(transaction=True)

MONDAY = datetime(2026, 10, 19, 10, 0, tzinfo=UTC)


@pytest.fixture
def key(settings) -> str:
    settings.ONCALL = {**settings.ONCALL, "NOTIFY_SMS_TEMPLATE_ID": "f33517ff-2a88-4f6e-b855-c550268ce08a"}
    make_contact(make_user("carol"), "sms", "07700900003")
    make_contact(make_user("dave"), "sms", "07700900004")
    policy = make_policy([{"ack_timeout_minutes": 5, "targets": [{"user": "carol"}]}, {"targets": [{"user": "dave"}]}])
    return make_integration(kind="pagerduty", policy=policy)[1]


def trigger(client, key: str) -> Page:
    body = {"routing_key": key, "event_action": "trigger", "dedup_key": "disk", "payload": {"summary": "Disk full"}}
    body["payload"].update(source="db-1", severity="critical")  # type: ignore[union-attr]
    response = client.post("/v2/enqueue", json.dumps(body), content_type="application/json")
    assert response.status_code == 202, response.content
    return Page.objects.get()


def test_a_page_acknowledged_before_its_task_runs_notifies_nobody(client, key, notify) -> None:
    with time_machine.travel(MONDAY, tick=False) as clock:
        page = trigger(client, key)
        assert not PageNotification.objects.exists(), "the sender's answer does not wait for the fan-out"
        oncall.acknowledge_page(page, user=make_user("erin"), via="web")
        run_until(clock, MONDAY + timedelta(hours=1))
    assert notify.sent == []
    assert not PageNotification.objects.exists()
    assert list(page.events.values_list("kind", flat=True)) == ["triggered", "acknowledged"]


def test_a_page_notified_late_escalates_on_the_trigger_clock_and_only_once(client, key, notify) -> None:
    with time_machine.travel(MONDAY, tick=False) as clock:
        page = trigger(client, key)
        clock.move_to(MONDAY + timedelta(minutes=3))  # the worker was busy
        tasks.start_page.enqueue(page.pk)  # and the task is run twice, as after a worker lost its database
        run_tasks()
        assert [m["phone_number"] for m in notify.sent] == ["07700900003"]
        [started] = page.events.filter(kind="started")
        assert started.data["seconds"] == 180
        run_until(clock, MONDAY + timedelta(minutes=5, seconds=1))
        # Five minutes after the trigger, not after the task: a busy queue does not stretch the escalation.
        assert [m["phone_number"] for m in notify.sent] == ["07700900003", "07700900004"]

"""GET /metrics: OpenMetrics a real Prometheus parser reads, behind an admin token or the scrape token."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django_tasks_db.models import DBTaskResult, get_date_max
from prometheus_client.openmetrics.parser import text_string_to_metric_families

from tests.factories import make_incident, make_service, make_user
from watchkeeper.accounts.services import create_token
from watchkeeper.incidents import services as incidents
from watchkeeper.incidents.services import milestones
from watchkeeper.notifications.models import Delivery
from watchkeeper.notifications.services import create_channel
from watchkeeper.oncall.models import Page

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def _samples(body: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_metrics_report_the_live_state() -> None:
    admin = make_user("root", "admin")
    lead = make_user("ada")
    service = make_service("pay")
    with time_machine.travel(NOW - timedelta(hours=3), tick=False):
        late = make_incident(lead, service, priority="P1")  # no lead after 3 hours, no update either
        acked = make_incident(lead, service, priority="P2")
        milestones.record_acknowledged(acked, NOW - timedelta(hours=3) + timedelta(minutes=4))
        drill = make_incident(lead, service, priority="P1")
        milestones.correct_milestones(lead, drill, {}, "Game day", exercise=True)
    with time_machine.travel(NOW - timedelta(hours=2), tick=False):
        incidents.resolve(lead, acked, "Fixed")
    channel = create_channel(admin, name="team-email", kind="email", target="team@example.gov.uk")
    Delivery.objects.create(
        key="k1",
        incident=late,
        event="incident.declared",
        channel=channel,
        kind="email",
        recipient="team@x",
        payload={},
        status="failed",
        created_at=NOW,
        failed_at=NOW,
    )
    DBTaskResult.objects.all().delete()  # reminders the incidents queued: this test wants one stuck task alone
    task = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}}, task_path="x.y", backend_name="default", run_after=get_date_max()
    )
    DBTaskResult.objects.filter(pk=task.pk).update(enqueued_at=NOW - timedelta(minutes=7))
    triggered = NOW - timedelta(hours=3)
    for incident in (acked, drill):  # the drill's page is left out
        Page.objects.create(
            summary="Paged",
            incident=incident,
            ack_code="1234",
            triggered_at=triggered,
            acknowledged_at=triggered + timedelta(minutes=4),
        )

    with time_machine.travel(NOW, tick=False):
        response = Client().get("/metrics", headers={"Authorization": f"Bearer {create_token('root')}"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/openmetrics-text")
    samples = _samples(response.content.decode())
    assert samples[("watchkeeper_open_incidents", (("priority", "P1"),))] == 1  # the drill is left out
    assert samples[("watchkeeper_open_incidents", (("priority", "P2"),))] == 0
    assert samples[("watchkeeper_response_breaches", (("priority", "P1"),))] == 1
    assert samples[("watchkeeper_late_updates", (("priority", "P1"),))] == 1
    assert samples[("watchkeeper_delivery_failures", (("channel", "team-email"), ("kind", "email")))] == 1
    assert samples[("watchkeeper_task_queue_depth", (("queue", "default"),))] == 1
    assert samples[("watchkeeper_task_oldest_ready_age_seconds", (("queue", "default"),))] == 420
    # The page was acknowledged 4 minutes after it was triggered: in the 5-minute bucket, not the 1-minute one.
    assert samples[("watchkeeper_page_ack_latency_seconds_bucket", (("le", "60.0"),))] == 0
    assert samples[("watchkeeper_page_ack_latency_seconds_bucket", (("le", "300.0"),))] == 1
    assert samples[("watchkeeper_page_ack_latency_seconds_count", ())] == 1
    assert samples[("watchkeeper_page_ack_latency_seconds_sum", ())] == 240.0


def test_metrics_need_an_admin_token_or_the_scrape_token(settings) -> None:
    make_user("ada", "responder")
    assert Client().get("/metrics").status_code == 401
    assert Client().get("/metrics", headers={"Authorization": "Bearer nonsense"}).status_code == 401
    responder = {"Authorization": f"Bearer {create_token('ada')}"}
    assert Client().get("/metrics", headers=responder).status_code == 403
    settings.METRICS_TOKEN = "scrape-token-for-tests"
    ok = Client().get("/metrics", headers={"Authorization": "Bearer scrape-token-for-tests"})
    assert ok.status_code == 200 and b"# EOF" in ok.content

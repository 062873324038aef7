"""``GET /metrics``: OpenMetrics text for Prometheus, read from the database on each scrape.

Every value is a gauge read afresh (or a histogram built from stored milestones), so any number of web processes
answer the same and nothing is lost on restart. Protected: ``Authorization: Bearer`` with an admin's API token or
the scrape token in ``METRICS_TOKEN``.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from datetime import datetime

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db.models import Count, Min, Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET
from django_tasks_db.models import DBTaskResult, get_date_max
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.openmetrics.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import Collector, CollectorRegistry

from watchkeeper.accounts.roles import is_admin
from watchkeeper.accounts.services import user_for_token
from watchkeeper.domain.priority import Priority
from watchkeeper.incidents.models import Incident
from watchkeeper.incidents.queries import OPEN
from watchkeeper.notifications.models import Delivery
from watchkeeper.notifications.models import Status as DeliveryStatus
from watchkeeper.oncall.models import Page

# Seconds from a page being triggered to its acknowledgement: 1, 5, 10, 20 and 30 minutes, 1 hour, 4 hours.
ACK_BUCKETS = (60.0, 300.0, 600.0, 1200.0, 1800.0, 3600.0, 14400.0)


def _by_priority(name: str, documentation: str, counts: dict[str, int]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation, labels=["priority"])
    for level in Priority:
        family.add_metric([level.value], counts.get(level.value, 0))
    return family


def _counted(incidents: object) -> dict[str, int]:
    rows = incidents.values("priority").annotate(n=Count("id"))  # type: ignore[attr-defined]
    return {row["priority"]: row["n"] for row in rows}


def _ack_latency() -> HistogramMetricFamily:
    # Pages of exercises are left out; a page raised by hand (no incident) is real and counts.
    pages = Page.objects.filter(acknowledged_at__isnull=False).filter(
        Q(incident__isnull=True) | Q(incident__exercise=False)
    )
    rows = pages.values_list("triggered_at", "acknowledged_at")
    latencies = [max(0.0, (acked - triggered).total_seconds()) for triggered, acked in rows if acked is not None]
    buckets = [(str(bound), sum(1 for v in latencies if v <= bound)) for bound in ACK_BUCKETS]
    buckets.append(("+Inf", len(latencies)))
    family = HistogramMetricFamily(
        "watchkeeper_page_ack_latency_seconds",
        "Seconds from a page being triggered to its acknowledgement, exercises left out.",
    )
    family.add_metric([], buckets=buckets, sum_value=sum(latencies))
    return family


def _queue(now: datetime) -> Iterator[Metric]:
    depth = GaugeMetricFamily("watchkeeper_task_queue_depth", "Tasks ready to run now.", labels=["queue"])
    age = GaugeMetricFamily(
        "watchkeeper_task_oldest_ready_age_seconds",
        "How long the oldest ready task has been waiting; growing means no worker is taking tasks.",
        labels=["queue"],
    )
    ready = DBTaskResult.objects.ready()
    oldest: dict[str, datetime] = {}
    # A task without run_after is ready from when it was enqueued; a deferred one from its run_after.
    waiting = ready.filter(run_after=get_date_max()).values("queue_name").annotate(n=Count("id"), at=Min("enqueued_at"))
    deferred = ready.exclude(run_after=get_date_max()).values("queue_name").annotate(n=Count("id"), at=Min("run_after"))
    counts: dict[str, int] = {}
    for row in [*waiting, *deferred]:
        queue = row["queue_name"]
        counts[queue] = counts.get(queue, 0) + row["n"]
        oldest[queue] = min(oldest.get(queue, row["at"]), row["at"])
    for queue in sorted(counts.keys() | {"default"}):
        depth.add_metric([queue], counts.get(queue, 0))
        age.add_metric([queue], max(0.0, (now - oldest[queue]).total_seconds()) if queue in oldest else 0.0)
    yield depth
    yield age


class WatchkeeperCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        now = timezone.now()
        live = Incident.objects.filter(status__in=OPEN, exercise=False)
        yield _by_priority("watchkeeper_open_incidents", "Incidents not yet resolved.", _counted(live))
        yield _by_priority(
            "watchkeeper_response_breaches",
            "Open incidents past their respond-by time with no incident lead.",
            _counted(live.filter(response_met_at__isnull=True, respond_by__lt=now)),
        )
        yield _by_priority(
            "watchkeeper_late_updates",
            "Open incidents whose next update is overdue.",
            _counted(live.filter(next_update_due__lt=now)),
        )
        failures = GaugeMetricFamily(
            "watchkeeper_delivery_failures",
            "Messages that failed for good after every retry, by channel.",
            labels=["channel", "kind"],
        )
        rows = Delivery.objects.filter(status=DeliveryStatus.FAILED).values("channel__name", "kind")
        for row in rows.annotate(n=Count("id")).order_by("channel__name", "kind"):
            failures.add_metric([row["channel__name"] or "", row["kind"]], row["n"])
        yield failures
        yield from _queue(now)
        yield _ack_latency()


def verdict(request: HttpRequest) -> int:
    """200 for the scrape token or an admin's API token, 403 for anyone else's valid token, else 401."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return 401
    scrape = settings.METRICS_TOKEN
    if scrape and hmac.compare_digest(token.encode(), scrape.encode()):
        return 200
    user = user_for_token(token)
    if user is None:
        return 401
    return 200 if is_admin(user) else 403


@login_not_required
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    status = verdict(request)
    if status != 200:
        text = "Send Authorization: Bearer with METRICS_TOKEN or an admin's API token\n"
        response = HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")
        response["WWW-Authenticate"] = "Bearer"
        return response
    registry = CollectorRegistry(auto_describe=False)
    registry.register(WatchkeeperCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)

"""The Insights page: headline figures, compliance by priority, monthly trends and the slowest incidents."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone

from watchkeeper.insights import measures
from watchkeeper.insights.charts import Bar, bar_chart
from watchkeeper.insights.collector import collector_paused
from watchkeeper.insights.export import export_response
from watchkeeper.insights.forms import InsightsFilterForm, parse_scope
from watchkeeper.insights.oncall_load import oncall_load
from watchkeeper.insights.queries import Facts, Scope, facts_for
from watchkeeper.web.formatting import duration

SLOWEST = 10


def share_text(share: dict[str, Any], none: str = "None due") -> str:
    """'75.0% (3 of 4)': the numbers that make the percentage are always shown with it."""
    if not share["of"]:
        return none
    return f"{share['pct']:.1f}% ({share['met']} of {share['of']})"


def seconds_text(seconds: float | None) -> str:
    return "None yet" if seconds is None else duration(timedelta(seconds=seconds))


def headline(overall: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        ("Incidents declared", str(overall["count"])),
        ("Responded to within the priority's response time", share_text(overall["response_met"])),
        ("Required updates given on time", share_text(overall["updates_on_time"])),
        ("Median time to acknowledge", seconds_text(overall["time_to_acknowledge_s"]["median"])),
        ("Median time to respond", seconds_text(overall["time_to_respond_s"]["median"])),
        ("Median time to mitigate", seconds_text(overall["time_to_mitigate_s"]["median"])),
        ("Median time to resolve", seconds_text(overall["time_to_resolve_s"]["median"])),
        ("90th percentile time to resolve", seconds_text(overall["time_to_resolve_s"]["p90"])),
        ("Longest overdue update gap", seconds_text(overall["longest_overdue_gap_s"])),
        ("Update reminders sent", str(overall["reminders_sent"])),
        ("Escalations sent", str(overall["escalations_sent"])),
        ("Reviews held within their target", share_text(overall["reviews_within_target"])),
        ("Follow-up actions overdue", share_text(overall["actions_overdue"], "No actions")),
        ("Breaches notified to the ICO within 72 hours", share_text(overall["breaches_notified_within_72h"])),
    ]


def priority_rows(by_priority: dict[str, Any]) -> list[list[str]]:
    return [
        [
            level,
            str(m["count"]),
            share_text(m["response_met"]),
            share_text(m["updates_on_time"]),
            seconds_text(m["time_to_respond_s"]["median"]),
            seconds_text(m["time_to_respond_s"]["p90"]),
            seconds_text(m["time_to_resolve_s"]["median"]),
            seconds_text(m["time_to_resolve_s"]["p90"]),
        ]
        for level, m in by_priority.items()
    ]


def month_rows(months: dict[str, Any]) -> list[list[str]]:
    return [
        [month, str(m["count"]), share_text(m["response_met"]), seconds_text(m["time_to_resolve_s"]["median"])]
        for month, m in months.items()
    ]


def _charts(by_priority: dict[str, Any], months: dict[str, Any]) -> dict[str, Any]:
    compliance = [Bar(p, m["response_met"]["pct"], share_text(m["response_met"])) for p, m in by_priority.items()]
    counts = [Bar(month, float(m["count"]), str(m["count"])) for month, m in months.items()]
    on_time = [Bar(month, m["response_met"]["pct"], share_text(m["response_met"])) for month, m in months.items()]
    return {
        "compliance": bar_chart(
            "chart-compliance",
            "Responded within the response time, by priority",
            "One bar per priority: the percentage of incidents whose lead was established in time.",
            compliance,
            maximum=100.0,
        ),
        "counts": bar_chart(
            "chart-counts", "Incidents declared each month", "One bar per month: how many were declared.", counts
        ),
        "on_time": bar_chart(
            "chart-on-time",
            "Responded within the response time, each month",
            "One bar per month: the percentage responded to in time.",
            on_time,
            maximum=100.0,
        ),
    }


def _summaries(overall: dict[str, Any], by_priority: dict[str, Any], months: dict[str, Any]) -> dict[str, str]:
    """One sentence per chart, so the point of each is plain without reading the bars."""
    shares = [(p, m["response_met"]) for p, m in by_priority.items() if m["response_met"]["of"]]
    worst = min(shares, key=lambda item: item[1]["pct"], default=None)
    compliance = (
        f"Overall {share_text(overall['response_met'])} were responded to in time; the lowest was "
        f"{worst[0]} at {share_text(worst[1])}."
        if worst
        else "No response was due in this period."
    )
    busiest = max(months.items(), key=lambda item: item[1]["count"], default=None)
    counts = (
        f"{overall['count']} incidents over {len(months)} months; "
        f"the busiest was {busiest[0]} with {busiest[1]['count']}."
        if busiest
        else "No incidents were declared in this period."
    )
    return {"compliance": compliance, "counts": counts}


def slowest(facts: list[Facts]) -> list[Facts]:
    resolved = [f for f in facts if f.durations["time_to_resolve_s"] is not None]
    return sorted(resolved, key=lambda f: (-(f.durations["time_to_resolve_s"] or 0), f.reference))[:SLOWEST]


def export(request: HttpRequest, format: str) -> HttpResponseBase:
    """The API's export for a signed-in person: the page's own filters, one row per incident."""
    now = timezone.now()
    form = InsightsFilterForm(request.GET or None, timezone.localdate(now))
    if form.is_bound and not form.is_valid():
        return HttpResponseBadRequest("; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in form.errors.items()))
    scope = form.scope or parse_scope({}, timezone.localdate(now))
    return export_response(facts_for(request.user, scope, now), scope, format)


def insights_page(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    form = InsightsFilterForm(request.GET or None, timezone.localdate(now))
    context: dict[str, Any] = {"filter_form": form, "active_nav": "insights"}
    if form.is_bound and not form.is_valid():
        return render(request, "insights/insights.html", context)
    scope = form.scope or parse_scope({}, timezone.localdate(now))
    with collector_paused():
        return _page(request, context, scope, now)


def _page(request: HttpRequest, context: dict[str, Any], scope: Scope, now: datetime) -> HttpResponse:
    facts = facts_for(request.user, scope, now)
    summary = measures.summarise(facts, scope)
    months = measures.by_month(facts)
    query = urlencode({k: v for k, v in request.GET.items() if v})
    context.update(
        scope=scope,
        summary=summary,
        headline=headline(summary["overall"]),
        priority_rows=priority_rows(summary["by_priority"]),
        month_rows=month_rows(months),
        charts=_charts(summary["by_priority"], months),
        summaries=_summaries(summary["overall"], summary["by_priority"], months),
        slowest=[(f, seconds_text(f.durations["time_to_resolve_s"])) for f in slowest(facts)],
        oncall=oncall_load(request.user, scope),
        query=query,
    )
    return render(request, "insights/insights.html", context)

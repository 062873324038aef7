"""The public pages as strings: the views answer with them and the snapshot writes them to files."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from watchkeeper.statuspage import conf, queries, uptime
from watchkeeper.statuspage.models import PublicIncident
from watchkeeper.statuspage.vocabulary import DOWNTIME_WEIGHT, STATUS_LABELS, ComponentStatus, values


def status_label(status: str) -> str:
    if status in values(ComponentStatus):
        return ComponentStatus(status).label
    return STATUS_LABELS.get(status, status)


def history_url(page: int) -> str:
    return reverse("statuspage:history") if page <= 1 else reverse("statuspage:history-page", args=[page])


def base_context(**extra: Any) -> dict[str, Any]:
    """What every public template needs; no request, so the same HTML can be written to the snapshot."""
    return {
        "sp": {"name": conf.name(), "logo_text": conf.logo_text(), "support_url": conf.support_url()},
        "tz": conf.time_zone(),
        "status_label": status_label,
        "history_url": history_url,
        **extra,
    }


def render(template: str, **context: Any) -> str:
    return render_to_string(template, base_context(**context))


def index() -> str:
    now = timezone.now()
    found = queries.components()
    open_incidents = list(queries.unresolved_incidents())
    indicator, description = queries.overall(found, open_incidents)
    return render(
        "statuspage/page.html",
        active_nav="status",
        generated_at=now,
        indicator=indicator,
        description=description,
        open_incidents=open_incidents,
        active_maintenances=list(queries.active_maintenances()),
        upcoming_maintenances=list(queries.upcoming_maintenances()),
        groups=queries.grouped(found),
        histories=uptime.histories([c.pk for c in found], now, conf.time_zone()),
        days=uptime.DAYS,
        partial_weight=round(DOWNTIME_WEIGHT[ComponentStatus.PARTIAL_OUTAGE] * 100),
    )


def incident(public: PublicIncident) -> str:
    return render("statuspage/incident.html", active_nav="history", public=public, report=queries.report(public))


def history(page: int) -> tuple[str, int]:
    """The page of past incidents and how many pages there are."""
    found, pages = queries.past(page)
    html = render("statuspage/history.html", active_nav="history", incidents=found, page_number=page, pages=pages)
    return html, pages

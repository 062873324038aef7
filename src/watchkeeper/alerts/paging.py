"""Where alert groups meet on-call pages: a new group pages the integration's policy; the rest follows the page."""

from __future__ import annotations

from datetime import datetime

from watchkeeper.alerts.models import Alert, AlertGroup
from watchkeeper.alerts.services.records import record


def page_new_group(group: AlertGroup, now: datetime) -> None:
    record(group, "paging", "Waiting for on-call paging")


def tell_acknowledger(group: AlertGroup, alert: Alert) -> None:
    record(group, "acknowledger_told", f"New alert in an acknowledged group: {alert.summary}", alert=alert)


def resolve_pages(group: AlertGroup) -> None:
    return None


def acknowledge_pages(group: AlertGroup, actor: object, via: str) -> None:
    return None


def attach_incident(group: AlertGroup, incident: object) -> None:
    return None


def policy_named(slug: str | None) -> object:
    if slug:
        from django.core.exceptions import ValidationError

        raise ValidationError({"policy": "On-call paging is not available yet"})
    return None


def page_ids(group: AlertGroup) -> list[int]:
    return []

"""Integrations: create, change, delete, rotate keys, look a key up, and count what a sender got wrong."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from watchkeeper.accounts.roles import is_admin
from watchkeeper.alerts.models import Integration, Kind, LabelRoute, key_digest, new_key
from watchkeeper.catalogue.models import Service
from watchkeeper.domain.alert_payloads import KEY_LENGTH
from watchkeeper.domain.alerting import GroupingRule, rate_window, retry_after
from watchkeeper.domain.priority import Priority

RATE_WINDOW_SECONDS = 60
# What intake changes, or a storm does, while the rest of the row stays as the key lookup read it.
COUNTERS = ("window_start", "window_count", "dropped", "storm_until", "storm_page_id")
EDITABLE = {"name", "service", "grouping", "grouping_labels", "heartbeat_interval", "policy"}


class Throttled(Exception):
    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(f"Too many requests for this integration key: retry after {retry_after} seconds")


@dataclass(frozen=True)
class Created:
    integration: Integration
    key: str  # shown once: only its digest is kept


def _require_admin(actor: User) -> None:
    if not is_admin(actor):
        raise PermissionDenied("Only admins can manage integrations")


def _validate(integration: Integration) -> None:
    errors: dict[str, str] = {}
    if not integration.name.strip():
        errors["name"] = "Enter a name"
    if integration.kind not in Kind.values:
        errors["kind"] = f"{integration.kind!r} is not one of {', '.join(Kind.values)}"
    if integration.grouping not in {r.value for r in GroupingRule}:
        errors["grouping"] = f"{integration.grouping!r} is not one of {', '.join(r.value for r in GroupingRule)}"
    labels = integration.grouping_labels
    if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
        errors["grouping_labels"] = "Give a list of label names"
    elif integration.grouping == GroupingRule.LABELS and not labels:
        errors["grouping_labels"] = "Name the labels to group by"
    interval = integration.heartbeat_interval
    if integration.kind == Kind.HEARTBEAT and (interval is None or interval < timedelta(seconds=10)):
        errors["heartbeat_interval"] = "A heartbeat needs an expected interval of at least 10 seconds"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_integration(actor: User, *, name: str, service: Service, kind: str, **fields: Any) -> Created:
    _require_admin(actor)
    raw = new_key()
    integration = Integration(
        name=name.strip(), service=service, kind=kind, key_digest=key_digest(raw), key_hint=raw[:6], created_by=actor
    )
    for field, value in fields.items():
        if field not in EDITABLE:
            raise ValidationError({field: "unknown field"})
        setattr(integration, field, value)
    _validate(integration)
    integration.save()
    return Created(integration, raw)


@transaction.atomic
def update_integration(actor: User, integration: Integration, **fields: Any) -> Integration:
    _require_admin(actor)
    integration = Integration.objects.select_for_update().get(pk=integration.pk)
    for field, value in fields.items():
        if field not in EDITABLE:
            raise ValidationError({field: "cannot be changed"})
        setattr(integration, field, value.strip() if field == "name" else value)
    _validate(integration)
    integration.save()
    return integration


@transaction.atomic
def delete_integration(actor: User, integration: Integration) -> None:
    _require_admin(actor)
    integration.delete()


@transaction.atomic
def rotate_key(actor: User, integration: Integration, *, overlap: timedelta | None = None) -> str:
    """A new key; the old one keeps working for the overlap (a day by default) so senders move without a gap."""
    _require_admin(actor)
    overlap = overlap if overlap is not None else timedelta(hours=settings.ALERTS_KEY_OVERLAP_HOURS)
    integration = Integration.objects.select_for_update().get(pk=integration.pk)
    raw = new_key()
    integration.previous_key_digest = integration.key_digest if overlap > timedelta(0) else None
    integration.previous_key_expires_at = timezone.now() + overlap if overlap > timedelta(0) else None
    integration.key_digest = key_digest(raw)
    integration.key_hint = raw[:6]
    integration.save()
    return raw


def find_by_key(raw: str | None) -> tuple[Integration | None, bool]:
    """The integration and whether the key is valid now; a rotated key past its overlap finds it but is refused."""
    if not raw or len(raw) != KEY_LENGTH:
        return None, False
    digest = key_digest(raw)
    # With what intake needs beside it, in one query; unordered, since Meta's ordering would join the service.
    matching = Integration.objects.select_related("service", "policy").filter(
        Q(key_digest=digest) | Q(previous_key_digest=digest)
    )
    found = next(iter(matching.order_by()[:1]), None)
    if found is None:
        return None, False
    if found.key_digest == digest:
        return found, True
    expires = found.previous_key_expires_at
    return found, expires is not None and expires > timezone.now()


def lock_counters(integration: Integration) -> Integration:
    """Locks the integration's row for a batch and brings its changing fields up to date on the object the key
    lookup found, so its service and policy are not read again."""
    fresh = Integration.objects.select_for_update().filter(pk=integration.pk).values(*COUNTERS).order_by().get()
    for field, value in fresh.items():
        setattr(integration, field, value)
    return integration


def record_refusal(integration: Integration | None, reason: str) -> None:
    """Counted outside the refused request's transaction, so the count survives its rollback."""
    if integration is None:
        return
    Integration.objects.filter(pk=integration.pk).update(
        refusals=F("refusals") + 1, last_refusal=reason[:500], last_refusal_at=timezone.now()
    )


def record_throttled(integration: Integration) -> None:
    Integration.objects.filter(pk=integration.pk).update(throttled=F("throttled") + 1)


def count_request(integration: Integration, now: datetime) -> None:
    """One more request in this minute's window on the (locked) integration row; Throttled past the limit."""
    window = rate_window(now, RATE_WINDOW_SECONDS)
    if integration.window_start != window:
        integration.window_start, integration.window_count = window, 0
    integration.window_count += 1
    wait = retry_after(
        integration.window_count, settings.ALERTS_RATE_LIMIT_PER_MINUTE, now, window, RATE_WINDOW_SECONDS
    )
    if wait is not None:
        raise Throttled(wait)


@transaction.atomic
def set_routes(actor: User, integration: Integration, routes: list[dict[str, Any]]) -> list[LabelRoute]:
    """Replaces the integration's label routes, in order: the first that matches an alert decides."""
    _require_admin(actor)
    errors: dict[str, str] = {}
    made: list[LabelRoute] = []
    for n, spec in enumerate(routes):
        matchers = spec.get("matchers", {})
        if not isinstance(matchers, dict) or not all(isinstance(v, str) for v in matchers.values()):
            errors[f"routes[{n}].matchers"] = 'Give label names and values, e.g. {"severity": "critical"}'
        priority = spec.get("priority") or ""
        if priority and priority not in {p.value for p in Priority}:
            errors[f"routes[{n}].priority"] = f"{priority!r} is not P1, P2, P3 or P4"
        unknown = set(spec) - {"matchers", "priority", "page", "auto_declare"}
        if unknown:
            errors[f"routes[{n}]"] = f"unknown fields: {', '.join(sorted(unknown))}"
        made.append(
            LabelRoute(
                integration=integration,
                position=n,
                matchers=matchers,
                priority=priority,
                page=bool(spec.get("page", True)),
                auto_declare=bool(spec.get("auto_declare", False)),
            )
        )
    if errors:
        raise ValidationError(errors)
    LabelRoute.objects.filter(integration=integration).delete()
    return LabelRoute.objects.bulk_create(made)

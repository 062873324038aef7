"""What people do with alert groups (acknowledge, resolve) and what time does (heartbeats); declaring and linking
an incident are in declaring.py."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from watchkeeper.alerts.models import OPEN_VALUES, Alert, AlertGroup, Integration
from watchkeeper.alerts.services import paging
from watchkeeper.alerts.services.declaring import lock_group
from watchkeeper.alerts.services.intake import Processed, close_group, ingest
from watchkeeper.alerts.services.records import record
from watchkeeper.domain import alerting
from watchkeeper.domain.alerting import Action, AlertEvent, AlertStatus
from watchkeeper.incidents import events
from watchkeeper.incidents import services as incidents
from watchkeeper.incidents.models import Incident
from watchkeeper.incidents.queries import OPEN as OPEN_INCIDENT_STATUSES
from watchkeeper.incidents.visibility import can_act_on

HEARTBEAT_KEY = "heartbeat"


@transaction.atomic
def acknowledge_group(actor: User, group: AlertGroup, *, via: str = "web", from_page: bool = False) -> AlertGroup:
    """Someone is on it. Acknowledging the group acknowledges its page, unless the page is where it came from."""
    group = lock_group(actor, group)
    if group.status != AlertStatus.FIRING.value:
        raise ValidationError({"status": f"This alert group is {group.status}, not firing"})
    now = timezone.now()
    group.status, group.acknowledged_at, group.acknowledged_by = AlertStatus.ACKNOWLEDGED.value, now, actor
    group.save(update_fields=["status", "acknowledged_at", "acknowledged_by"])
    Alert.objects.filter(group=group, status=AlertStatus.FIRING.value).update(
        status=AlertStatus.ACKNOWLEDGED.value, updated_at=now
    )
    record(group, "acknowledged", f"Acknowledged by {actor.get_username()} ({via})", actor=actor)
    if not from_page:
        paging.acknowledge_pages(group, actor, via)
    return group


@transaction.atomic
def resolve_group(actor: User | None, group: AlertGroup, *, via: str = "web") -> AlertGroup:
    """Resolving by hand resolves every alert in the group; the sender's next trigger opens a new group."""
    group = lock_group(actor, group)
    if not group.is_open:
        raise ValidationError({"status": "This alert group is already resolved"})
    now = timezone.now()
    Alert.objects.filter(group=group, status__in=OPEN_VALUES).update(
        status=AlertStatus.RESOLVED.value, ended_at=now, updated_at=now
    )
    who = actor.get_username() if actor else "Watchkeeper"
    close_group(group, now, reason=f"resolved by {who} ({via})")
    return group


@transaction.atomic
def resolve_incident_groups(actor: User, incident: Incident, *, via: str = "web") -> int:
    """The person resolving the incident chose to resolve its open alert groups too; how many were still open."""
    if not can_act_on(actor, incident):
        raise PermissionDenied("You cannot act on this incident")
    still_open = AlertGroup.objects.filter(incident=incident, status__in=OPEN_VALUES).order_by("id")
    resolved = 0
    for group in still_open:
        resolve_group(actor, group, via=via)
        resolved += 1
    return resolved


# --- Heartbeats ------------------------------------------------------------------------------------------------


def heartbeat(integration: Integration, now: datetime | None = None) -> list[Processed]:
    """A beat: resolves a missed-heartbeat alert, and schedules the check for the next one."""

    now = now or timezone.now()
    with transaction.atomic():
        Integration.objects.filter(pk=integration.pk).update(last_heartbeat_at=now)
        missed = Alert.objects.filter(integration=integration, dedup_key=HEARTBEAT_KEY, status__in=OPEN_VALUES)
        # Only a beat after a miss is news; the others are not resolves of an unknown key.
        results = ingest(integration, [AlertEvent(Action.RESOLVE, HEARTBEAT_KEY)], now) if missed.exists() else []
        deadline = _deadline(integration, now)
        events.enqueue("alerts.check_heartbeat", integration.pk, now.isoformat(), run_after=deadline)
    return results


def _deadline(integration: Integration, beat: datetime) -> datetime:
    interval = integration.heartbeat_interval or timedelta(minutes=5)
    return alerting.heartbeat_deadline(beat, interval, timedelta(seconds=settings.ALERTS_HEARTBEAT_GRACE_SECONDS))


def check_heartbeat(integration_id: int, beat: datetime) -> None:
    integration = Integration.objects.filter(pk=integration_id).first()
    if integration is None:
        return
    now = timezone.now()
    if not alerting.heartbeat_missed(integration.last_heartbeat_at, beat, now, _deadline(integration, beat)):
        return
    summary = f"Missed heartbeat: nothing from {integration.name} since {beat:%Y-%m-%d %H:%M:%S %Z}"
    ingest(integration, [AlertEvent(Action.TRIGGER, HEARTBEAT_KEY, summary=summary, started_at=beat)], now)


# --- Change events ---------------------------------------------------------------------------------------------


@transaction.atomic
def change_event(integration: Integration, summary: str, links: list[str], details: dict[str, object]) -> int:
    """A deploy or config change: onto the timeline of every open incident on the integration's service."""
    open_incidents = Incident.objects.filter(service=integration.service, status__in=OPEN_INCIDENT_STATUSES)
    text = f"Change from {integration.name}: {summary}" + "".join(f"\n{href}" for href in links)
    for incident in open_incidents:
        incidents.record_from_system(incident, text, source="change_event", details=details, links=links)
    return open_incidents.count()

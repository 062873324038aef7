"""The only functions that change what the public sees.

Each runs in one transaction: it saves the post, moves component statuses (recording their periods for
uptime), queues the subscriber fan-out and the snapshot refresh, and once committed re-renders the
snapshot at once so the page shows the post within a second or two.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from watchkeeper.accounts.roles import can_act, is_admin
from watchkeeper.catalogue.models import Component
from watchkeeper.domain.workflow import Step
from watchkeeper.incidents import events
from watchkeeper.incidents import services as incident_services
from watchkeeper.incidents.models import Incident
from watchkeeper.incidents.services import checklist
from watchkeeper.incidents.visibility import can_see
from watchkeeper.statuspage import conf, snapshot
from watchkeeper.statuspage.models import AffectedComponent, PublicIncident, PublicUpdate, StatusPeriod
from watchkeeper.statuspage.vocabulary import (
    FINISHED,
    STATUS_LABELS,
    ComponentStatus,
    Impact,
    IncidentStatus,
    MaintenanceStatus,
    impact_for,
    message_template,
    plain_list,
    values,
    worst_impact,
)

log = logging.getLogger(__name__)

# A post displayed this far in the past is a backfill: it records history and tells nobody.
BACKFILL_TOLERANCE = timedelta(minutes=5)

ComponentStatuses = Mapping[Component, str]


def _require_publisher(actor: User) -> None:
    if not can_act(actor):
        raise PermissionDenied("Only responders can publish to the status page")


def _require_may_post(actor: User | None, incident: Incident, confirm_restricted: bool) -> None:
    """A public incident is frozen while its incident is restricted: only an admin's explicit decision posts to
    it, as only one publishes a restricted incident. Someone who cannot see the incident never posts to it."""
    if actor is None or not can_see(actor, incident):
        raise PermissionDenied("You cannot see this incident")
    if incident.restricted and not (is_admin(actor) and confirm_restricted):
        raise PermissionDenied(
            "This public incident is frozen because its incident is restricted: only an admin can post, confirming"
        )


def current_status(component: Component) -> str:
    period = StatusPeriod.objects.filter(component=component, ended_at__isnull=True).first()
    return period.status if period else ComponentStatus.OPERATIONAL.value


def _set_status(component: Component, status: str, at: datetime) -> str:
    """Records that ``component`` is in ``status`` from ``at`` until the next recorded change.

    A change in the past (a backfill) splits the period it falls in, so history stays complete and the
    component's status now moves only if the backfill reaches the present.
    """
    periods = StatusPeriod.objects.select_for_update().filter(component=component)
    containing = periods.filter(started_at__lte=at).order_by("-started_at", "-id").first()
    if containing is None:
        # Nothing recorded before ``at``: the component was operational until now, as far as anyone said.
        following = periods.order_by("started_at").first()
        StatusPeriod.objects.create(
            component=component, status=status, started_at=at, ended_at=following.started_at if following else None
        )
        return ComponentStatus.OPERATIONAL.value
    old = containing.status
    if old == status:
        return old
    end = containing.ended_at
    if containing.started_at == at:
        containing.status = status
        containing.save(update_fields=["status"])
        return old
    containing.ended_at = at
    containing.save(update_fields=["ended_at"])
    StatusPeriod.objects.create(component=component, status=status, started_at=at, ended_at=end)
    return old


def _validate_statuses(component_statuses: ComponentStatuses) -> None:
    for component, status in component_statuses.items():
        if status not in values(ComponentStatus):
            raise ValidationError({"component_status": f"{status!r} is not a component status ({component.name})"})


def _derive_impact(public: PublicIncident) -> None:
    if public.is_maintenance:
        public.impact = Impact.MAINTENANCE.value
        return
    if public.impact_override:
        public.impact = public.impact_override
        return
    derived = impact_for([current_status(c) for c in public.components.all()]).value
    if public.status in FINISHED:
        # Resolving puts the components back to operational; the incident still had the impact it had.
        derived = worst_impact([public.impact, derived]).value
    public.impact = derived


def affected_names(public: PublicIncident, components: Iterable[Component] = ()) -> str:
    """What users know the affected thing as, for the standard wording: the components, else the service."""
    chosen = sorted(components, key=lambda c: (c.position, c.name)) or list(public.components.order_by("position"))
    names = [c.name for c in chosen]
    if not names and public.incident is not None:
        names = [public.incident.service.name]
    return plain_list(names) or public.name


def standard_wording(public: PublicIncident, status: str, components: Iterable[Component] = ()) -> str:
    return message_template(status, affected_names(public, components))


def _after_publish(update: PublicUpdate) -> None:
    """Queues the fan-out and a snapshot refresh with the post; renders the snapshot once it is committed."""

    if update.notify:
        events.enqueue("statuspage.fan_out", update.pk, "update")
    # The task is the durable backstop: if this process dies before on_commit runs, a worker still renders.
    events.enqueue("statuspage.refresh_snapshot")
    snapshot.refresh_after_commit()


def _post(
    public: PublicIncident,
    actor: User | None,
    *,
    status: str,
    body: str,
    component_statuses: ComponentStatuses,
    notify: bool,
    display_at: datetime | None,
) -> PublicUpdate:
    now = timezone.now()
    display_at = display_at or now
    if timezone.is_naive(display_at):
        raise ValidationError({"display_at": "Give the time with a UTC offset"})
    if display_at > now + BACKFILL_TOLERANCE:
        raise ValidationError({"display_at": "An update cannot be dated in the future"})
    backfill = display_at < now - BACKFILL_TOLERANCE
    body = body.strip() or standard_wording(public, status, component_statuses.keys())
    if not body:
        raise ValidationError({"body": "Enter the update"})
    _validate_statuses(component_statuses)
    update = PublicUpdate.objects.create(
        public_incident=public,
        status=status,
        body=body,
        created_at=now,
        display_at=display_at,
        notify=notify and not backfill,
        author=actor,
    )
    for component, new in component_statuses.items():
        old = _set_status(component, new, display_at)
        AffectedComponent.objects.create(update=update, component=component, old_status=old, new_status=new)
    public.components.add(*component_statuses.keys())
    public.status = status
    public.updated_at = now
    if status == IncidentStatus.MONITORING and public.monitoring_at is None:
        public.monitoring_at = display_at
    if status in FINISHED:
        public.resolved_at = public.resolved_at or display_at
    else:
        public.resolved_at = None
    _derive_impact(public)
    public.save()
    _after_publish(update)
    return update


def _with_resolution(public: PublicIncident, status: str, component_statuses: ComponentStatuses) -> ComponentStatuses:
    """Resolving or completing puts every affected component the post does not mention back to operational."""
    if status not in FINISHED:
        return component_statuses
    back = {c: ComponentStatus.OPERATIONAL.value for c in public.components.all() if c not in component_statuses}
    return {**back, **component_statuses}


@transaction.atomic
def publish_incident(
    actor: User,
    incident: Incident,
    *,
    name: str,
    body: str = "",
    status: str = IncidentStatus.INVESTIGATING.value,
    component_statuses: ComponentStatuses | None = None,
    impact_override: str = "",
    notify: bool = True,
    display_at: datetime | None = None,
    confirm_restricted: bool = False,
) -> PublicIncident:
    """Makes a public incident from an internal one, in the comms lead's own words."""
    _require_publisher(actor)
    if not can_see(actor, incident):
        raise PermissionDenied("You cannot see this incident")
    if incident.restricted and not (is_admin(actor) and confirm_restricted):
        raise PermissionDenied("A restricted incident is published only when an admin confirms it")
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Enter a public title that says how users are affected"
    if status not in values(IncidentStatus):
        errors["status"] = "Choose investigating, identified, monitoring or resolved"
    if impact_override and impact_override not in {i.value for i in Impact if i is not Impact.MAINTENANCE}:
        errors["impact_override"] = "Choose none, minor, major or critical"
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    started = display_at or now
    public = PublicIncident.objects.create(
        kind=PublicIncident.Kind.INCIDENT,
        incident=incident,
        name=name.strip(),
        status=status,
        impact_override=impact_override,
        created_at=now,
        updated_at=now,
        started_at=started,
        created_by=actor,
    )
    _post(
        public,
        actor,
        status=status,
        body=body,
        component_statuses=dict(component_statuses or {}),
        notify=notify,
        display_at=display_at,
    )
    update = public.updates.get()
    incident_services.record_status_page_post(
        actor,
        incident,
        f"Published on the status page as \u201c{public.name}\u201d ({STATUS_LABELS[status]}): {update.body}",
        reset_clock=update.display_at >= timezone.now() - BACKFILL_TOLERANCE,
    )
    # GDS step 6: the status page is how the wider audience is told; ticked in this transaction, with the post.
    checklist.tick(incident, Step.WIDER_AUDIENCE_TOLD, actor)
    return public


@transaction.atomic
def post_update(
    actor: User | None,
    public: PublicIncident,
    *,
    status: str,
    body: str = "",
    component_statuses: ComponentStatuses | None = None,
    notify: bool = True,
    display_at: datetime | None = None,
    impact_override: str | None = None,
    confirm_restricted: bool = False,
    on_timeline: bool = True,
) -> PublicUpdate:
    """A further post: ``actor`` None means Watchkeeper itself (maintenance starting and completing).

    ``on_timeline`` False is for callers that already put the words on the incident's timeline."""
    if actor is not None:
        _require_publisher(actor)
    public = PublicIncident.objects.select_for_update().get(pk=public.pk)
    if public.incident is not None:
        _require_may_post(actor, public.incident, confirm_restricted)
    allowed = MaintenanceStatus if public.is_maintenance else IncidentStatus
    if status not in values(allowed):
        raise ValidationError({"status": f"Choose one of: {', '.join(s.value for s in allowed)}"})
    if impact_override is not None:
        public.impact_override = impact_override
    statuses = _with_resolution(public, status, dict(component_statuses or {}))
    update = _post(
        public, actor, status=status, body=body, component_statuses=statuses, notify=notify, display_at=display_at
    )
    if public.incident is not None and on_timeline:
        incident_services.record_status_page_post(
            actor,
            public.incident,
            f"On the status page ({STATUS_LABELS[status]}): {update.body}",
            reset_clock=update.notify or display_at is None,
        )
    if update.notify and public.incident is not None:
        checklist.tick(public.incident, Step.WIDER_AUDIENCE_TOLD, actor)
    return update


@transaction.atomic
def schedule_maintenance(
    actor: User,
    *,
    name: str,
    body: str,
    components: Iterable[Component],
    scheduled_for: datetime,
    scheduled_until: datetime,
    notify: bool = True,
) -> PublicIncident:
    """Announces a window; tasks start and complete it at its edges and remind subscribers before it starts."""

    _require_publisher(actor)
    now = timezone.now()
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Enter what the maintenance is, as users will see it"
    if not body.strip():
        errors["body"] = "Say what users can expect during the maintenance"
    if scheduled_until <= scheduled_for:
        errors["scheduled_until"] = "The end must be after the start"
    if scheduled_for < now - BACKFILL_TOLERANCE:
        errors["scheduled_for"] = "The start must be in the future"
    if errors:
        raise ValidationError(errors)
    public = PublicIncident.objects.create(
        kind=PublicIncident.Kind.MAINTENANCE,
        name=name.strip(),
        status=MaintenanceStatus.SCHEDULED.value,
        impact=Impact.MAINTENANCE.value,
        created_at=now,
        updated_at=now,
        started_at=scheduled_for,
        scheduled_for=scheduled_for,
        scheduled_until=scheduled_until,
        created_by=actor,
    )
    public.components.set(list(components))
    update = PublicUpdate.objects.create(
        public_incident=public,
        status=MaintenanceStatus.SCHEDULED.value,
        body=body.strip(),
        created_at=now,
        display_at=now,
        notify=notify,
        author=actor,
    )
    _after_publish(update)
    reminder_at = scheduled_for - timedelta(minutes=conf.reminder_minutes())
    if notify and reminder_at > now:
        events.enqueue("statuspage.remind_maintenance", public.pk, run_after=reminder_at)
    events.enqueue("statuspage.start_maintenance", public.pk, run_after=scheduled_for)
    events.enqueue("statuspage.complete_maintenance", public.pk, run_after=scheduled_until)
    return public


def start_maintenance_if_due(public_id: int) -> bool:
    """Runs when the window opens; re-checks, since the window may have moved or been cancelled since."""
    with transaction.atomic():
        public = PublicIncident.objects.select_for_update().filter(pk=public_id).first()
        if public is None or public.status != MaintenanceStatus.SCHEDULED or public.scheduled_for is None:
            return False
        if timezone.now() < public.scheduled_for:
            return False
        post_update(
            None,
            public,
            status=MaintenanceStatus.IN_PROGRESS.value,
            body="Scheduled maintenance is in progress. We will post an update when it is complete.",
            component_statuses={c: ComponentStatus.UNDER_MAINTENANCE.value for c in public.components.all()},
        )
        return True


def complete_maintenance_if_due(public_id: int) -> bool:
    with transaction.atomic():
        public = PublicIncident.objects.select_for_update().filter(pk=public_id).first()
        if public is None or public.scheduled_until is None or public.status == MaintenanceStatus.COMPLETED:
            return False
        if timezone.now() < public.scheduled_until:
            return False
        if public.status == MaintenanceStatus.SCHEDULED:
            # The start task has not run yet (a worker was down): open the window first so history is right.
            start_maintenance_if_due(public_id)
        post_update(
            None,
            public,
            status=MaintenanceStatus.COMPLETED.value,
            body="The scheduled maintenance is complete.",
        )
        return True

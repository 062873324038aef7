"""Triggering, acknowledging and resolving pages: the only writers of pages."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from watchkeeper.incidents import events
from watchkeeper.incidents import services as incidents
from watchkeeper.incidents.models import EntryKind, Incident
from watchkeeper.incidents.services import timeline
from watchkeeper.oncall.models import EscalationPolicy, NotificationStatus, Page, PageNotification, PageStatus
from watchkeeper.oncall.services import escalation

log = logging.getLogger(__name__)
ACK_VIA = {"web", "api", "slack", "email", "sms", "cli"}


def _new_code() -> str:
    """Four digits, different from every page still waiting for an acknowledgement, so an SMS reply is unambiguous.
    One guess at a time on the (status, ack_code) index: with few pages open the first guess is free, and loading
    every open page's code cost each new page more as pages piled up."""
    code = f"{secrets.randbelow(9000) + 1000}"
    for _ in range(50):
        if not Page.objects.filter(status=PageStatus.TRIGGERED, ack_code=code).exists():
            return code
        code = f"{secrets.randbelow(9000) + 1000}"
    return code


def _incident_entry(incident: Incident, actor: User | None, text: str, page: Page) -> None:
    timeline.record(incident, EntryKind.NOTIFICATION, text, author=actor, data={"page": page.pk})


def trigger_page(
    *,
    summary: str,
    policy: EscalationPolicy | None = None,
    users: Sequence[User] = (),
    incident: Incident | None = None,
    details: str = "",
    source: str = "manual",
    actor: User | None = None,
    notify_later: bool = False,
) -> Page:
    """Creates a page and notifies its first step (or the named people) now, in the caller's transaction. With
    notify_later the page is made now and a task does the notifying, timed from the trigger: for callers such as
    alert intake, whose sender is waiting on the answer."""
    summary = summary.strip()
    if not summary:
        raise ValidationError({"summary": "Say what the page is about"})
    if policy is None and not users:
        raise ValidationError({"policy": "Choose an escalation policy or at least one person to page"})
    # No savepoint: nothing here is worth keeping without the rest, inside the caller's transaction or its own.
    with transaction.atomic(savepoint=False):
        page = _create(summary, policy, users, incident, details, source, actor)
        if notify_later:
            escalation.notify_later(page)
        else:
            escalation.notify(page, list(users), page.triggered_at)
    return page


def _create(
    summary: str,
    policy: EscalationPolicy | None,
    users: Sequence[User],
    incident: Incident | None,
    details: str,
    source: str,
    actor: User | None,
) -> Page:
    page = Page.objects.create(
        summary=summary[:300],
        details=details,
        source=source[:32],
        policy=policy,
        incident=incident,
        status=PageStatus.TRIGGERED,
        step_index=0 if policy else escalation.DIRECT,
        ack_code=_new_code(),
        created_by=actor,
        triggered_at=timezone.now(),
    )
    who = actor.get_username() if actor else source
    escalation.record(page, "triggered", f"Triggered by {who}: {page.summary}", source=source)
    if incident is not None:
        target = f"the {policy.name} policy" if policy else ", ".join(u.get_username() for u in users)
        _incident_entry(incident, actor, f"Paged {target}: {page.summary}", page)
    if users:
        page.users.set(users)
    return page


def _cancel_pending(page: Page) -> int:
    now = timezone.now()
    return PageNotification.objects.filter(
        page=page, status__in=[NotificationStatus.PENDING, NotificationStatus.SENDING]
    ).update(status=NotificationStatus.CANCELLED, finished_at=now, last_error="cancelled: the page was acknowledged")


def _make_lead(page: Page, user: User) -> None:
    """GDS step 1: whoever acknowledges a page for an incident with no lead becomes its lead."""

    incident = Incident.objects.get(pk=page.incident_id or 0)
    if incident.incident_lead_id is not None:
        return
    try:
        incidents.assign_role(user, incident, "incident_lead", user)
    except (PermissionDenied, ValidationError) as error:
        escalation.record(page, "note", f"{user.get_username()} could not be made incident lead: {error}")
    else:
        escalation.record(page, "lead", f"{user.get_username()} is now incident lead of {incident.reference}")


@transaction.atomic
def acknowledge_page(page: Page, *, user: User, via: str) -> Page:
    """The first acknowledgement wins and cancels everything pending; a second one changes nothing."""
    if via not in ACK_VIA:
        raise ValidationError({"via": f"Unknown way to acknowledge {via!r}: use {', '.join(sorted(ACK_VIA))}"})
    page = Page.objects.select_for_update().get(pk=page.pk)
    if page.status != PageStatus.TRIGGERED:
        return Page.objects.select_related("acknowledged_by").get(pk=page.pk)
    now = timezone.now()
    page.status = PageStatus.ACKNOWLEDGED
    page.acknowledged_by = user
    page.acknowledged_at = now
    page.acknowledged_via = via
    page.save(update_fields=["status", "acknowledged_by", "acknowledged_at", "acknowledged_via"])
    cancelled = _cancel_pending(page)
    text = f"Acknowledged by {user.get_username()} ({via})"
    if cancelled:
        text += f"; {cancelled} pending notification(s) cancelled"
    escalation.record(page, "acknowledged", text, user=user.get_username(), via=via, cancelled=cancelled)
    events.publish(events.RecordEvent(events.PAGE_ACKNOWLEDGED, page.pk, user.pk))
    if page.incident_id is not None:
        incident = Incident.objects.get(pk=page.incident_id)
        _incident_entry(incident, user, f"Page acknowledged by {user.get_username()} ({via})", page)
        _make_lead(page, user)
    return page


@transaction.atomic
def resolve_page(page: Page, *, actor: User | None = None) -> Page:
    page = Page.objects.select_for_update().get(pk=page.pk)
    if page.status == PageStatus.RESOLVED:
        return page
    page.status = PageStatus.RESOLVED
    page.resolved_at = timezone.now()
    page.resolved_by = actor
    page.save(update_fields=["status", "resolved_at", "resolved_by"])
    cancelled = _cancel_pending(page)
    who = actor.get_username() if actor else "the system"
    escalation.record(page, "resolved", f"Resolved by {who}", cancelled=cancelled)
    events.publish(events.RecordEvent(events.PAGE_RESOLVED, page.pk, actor.pk if actor else None))
    return page


@transaction.atomic
def attach_to_incident(page: Page, incident: Incident, *, actor: User | None = None) -> Page:
    """A page raised before its incident existed (an alert) now belongs to it: whoever acknowledges becomes lead.
    A page that was already acknowledged makes its acknowledger lead now, as if they had acknowledged it for the
    incident; a page already belonging to an incident keeps it."""
    page = Page.objects.select_for_update().get(pk=page.pk)
    if page.incident_id is not None or page.status == PageStatus.RESOLVED:
        return page
    page.incident = incident
    page.save(update_fields=["incident"])
    escalation.record(page, "incident", f"Now part of {incident.reference}", incident=incident.reference)
    _incident_entry(incident, actor, f"Page {page.pk} attached: {page.summary} ({page.get_status_display()})", page)
    if page.status == PageStatus.ACKNOWLEDGED and page.acknowledged_by is not None:
        _make_lead(page, page.acknowledged_by)
    return page

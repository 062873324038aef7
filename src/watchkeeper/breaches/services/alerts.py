"""Reminders and escalations on the 72-hour clock, as deferred tasks enqueued with the change that starts it."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from watchkeeper.breaches import clock
from watchkeeper.breaches.models import Breach, BreachAlert
from watchkeeper.breaches.services.common import record
from watchkeeper.incidents import events
from watchkeeper.incidents.models import EntryKind
from watchkeeper.web.formatting import duration


def schedule_alerts(breach: Breach) -> None:
    """Enqueues every milestone still ahead; if the deadline has already passed undecided, escalates at once."""

    now = timezone.now()
    aware = breach.aware_at.isoformat()
    for hours, kind, when in clock.milestones(breach.aware_at):
        if when > now:
            events.enqueue("breaches.breach_alert", breach.pk, hours, kind, aware, run_after=when)
    if breach.ico_deadline <= now and not breach.ico_decided:
        events.enqueue("breaches.breach_alert", breach.pk, max(clock.ESCALATION_HOURS), "escalation", aware)


@transaction.atomic
def send_alert(breach_id: int, hours: int, kind: str, aware_at: str) -> str:
    """Runs when a milestone arrives: stands down if the ICO decision is made or the clock was restarted."""
    breach = Breach.objects.select_for_update().select_related("incident").filter(pk=breach_id).first()
    if breach is None:
        return "no breach"
    if breach.ico_decided:
        return "decided"
    if breach.aware_at != datetime.fromisoformat(aware_at):
        return "superseded"
    _, created = BreachAlert.objects.get_or_create(
        breach=breach, hours=hours, kind=kind, aware_at=breach.aware_at, defaults={"sent_at": timezone.now()}
    )
    if not created:
        return "already sent"
    incident = breach.incident
    left = breach.ico_deadline - timezone.now()
    status = f"{duration(left)} left" if left.total_seconds() > 0 else f"deadline passed {duration(-left)} ago"
    who = "data protection contacts told" if kind == "escalation" else "reminder"
    text = f"ICO decision still open {hours} hours after awareness ({status}): {who}"
    record(incident, None, text, EntryKind.NOTIFICATION, breach_alert=kind, hours=hours)
    name = events.BREACH_ESCALATION if kind == "escalation" else events.BREACH_REMINDER
    # Only the reference, the clock and a link: restricted details stay inside Watchkeeper.
    events.publish(
        events.IncidentEvent(
            name,
            incident.pk,
            data={
                "reference": incident.reference,
                "hours": hours,
                "ico_deadline": breach.ico_deadline.isoformat(),
                "path": reverse("breaches:record", kwargs={"reference": incident.reference}),
            },
        )
    )
    return "sent"

"""Update reminders and escalations: deferred tasks at the due instant that check again when they fire.

Each reminder carries the deadline it was scheduled for. If the incident's deadline has moved since
(an update was posted, the priority changed, someone responded), the reminder does nothing, so there is
nothing to cancel and a restart changes nothing. Reminders for office-hours priorities wait for the office.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from watchkeeper.catalogue import queries as catalogue
from watchkeeper.domain.office_time import add_office_time, is_office_time
from watchkeeper.domain.priority import SpanKind
from watchkeeper.incidents import events
from watchkeeper.incidents.models import Incident
from watchkeeper.notifications import routing, services
from watchkeeper.notifications.models import Audience

RESPONSE = "response"
UPDATE_DUE = "update_due"
UPDATE_OVERDUE = "update_overdue"
ESCALATE = "escalate"
EVENT_FOR_STAGE = {
    RESPONSE: "escalation.response_overdue",
    UPDATE_DUE: "reminder.update_due",
    UPDATE_OVERDUE: "reminder.update_overdue",
    ESCALATE: "escalation.update_overdue",
}
RESCHEDULE_ON = {events.DECLARED, events.UPDATED, events.PRIORITY_CHANGED, events.REOPENED}


def _office_hours_only(incident: Incident) -> bool:
    policy = catalogue.policy_for(incident.service, incident.priority_enum)
    return policy.respond_within.kind is not SpanKind.ELAPSED


def deliverable_at(incident: Incident, instant: datetime) -> datetime:
    """When a reminder due at ``instant`` may go out: office-hours priorities wait for the next opening."""
    if not _office_hours_only(incident):
        return instant
    calendar = catalogue.calendar_for(incident.service)
    if is_office_time(calendar, instant):
        return instant
    # The earliest instant a moment of office time has passed, less that moment, is the next opening.
    moment = timedelta(microseconds=1)
    return add_office_time(calendar, instant, moment) - moment


def _after_due(incident: Incident, due: datetime, minutes: float) -> datetime:
    if _office_hours_only(incident):
        return add_office_time(catalogue.calendar_for(incident.service), due, timedelta(minutes=minutes))
    return due + timedelta(minutes=minutes)


def plan(incident: Incident, name: str) -> list[tuple[str, datetime, datetime]]:
    """(stage, deadline it is about, when to fire) for what an event makes due."""
    config = settings.NOTIFICATIONS
    stages: list[tuple[str, datetime, datetime]] = []
    if name in {events.DECLARED, events.PRIORITY_CHANGED} and incident.response_met_at is None:
        stages.append((RESPONSE, incident.respond_by, incident.respond_by))
    due = incident.next_update_due
    if name in RESCHEDULE_ON and due is not None and incident.is_open:
        stages += [
            (UPDATE_DUE, due, due - timedelta(minutes=config["REMINDER_LEAD_MINUTES"])),
            (UPDATE_OVERDUE, due, due),
            (ESCALATE, due, _after_due(incident, due, config["ESCALATE_AFTER_MINUTES"])),
        ]
    return [(stage, deadline, deliverable_at(incident, at)) for stage, deadline, at in stages]


def schedule(incident: Incident, name: str) -> None:
    for stage, deadline, at in plan(incident, name):
        events.enqueue("notifications.remind", incident.pk, stage, deadline.isoformat(), run_after=at)


def _still_due(incident: Incident, stage: str, deadline: datetime) -> bool:
    if not incident.is_open:
        return False
    if stage == RESPONSE:
        return incident.response_met_at is None and incident.respond_by == deadline
    return incident.next_update_due == deadline


def _people(incident: Incident, stage: str) -> list[routing.Target]:
    lead = incident.incident_lead
    reminded = incident.comms_lead or lead
    if stage == RESPONSE:
        audience = Audience.ESCALATION if incident.priority in routing.URGENT else Audience.TEAM
        return routing.audience_targets(incident, audience)
    if stage == ESCALATE:
        return routing.audience_targets(incident, Audience.ESCALATION)
    if reminded is None:
        return routing.audience_targets(incident, Audience.TEAM)
    people = [routing.person_target(reminded)]
    if stage == UPDATE_OVERDUE and lead is not None and lead != reminded:
        people.append(routing.person_target(lead))
    return people


@transaction.atomic
def fire(incident_id: int, stage: str, due: str) -> None:
    incident = (
        Incident.objects.select_related("service", "service__team", "incident_lead", "comms_lead")
        .filter(pk=incident_id)
        .first()
    )
    deadline = datetime.fromisoformat(due)
    if incident is None or not _still_due(incident, stage, deadline):
        return
    name = EVENT_FOR_STAGE[stage]
    asked = [
        routing.channel_target(route.channel, route.audience)
        for route in routing.routes_for(incident)
        if routing.matches(route, name, incident, {})
    ]
    # Keyed by the deadline, so a reminder scheduled twice for the same deadline sends once.
    event_id = f"{incident.pk}:{stage}:{due}"
    services.record_deliveries(incident, name, event_id, _people(incident, stage) + asked, {"due": due, "stage": stage})

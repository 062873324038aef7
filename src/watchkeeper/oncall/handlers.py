"""What on call does when an incident changes: a P1/P2 declared, or raised to P1/P2, pages its service's policy.

Each service names a policy per priority (PagingRule). Without one the defaults apply: P1/P2 page at once, day or
night; P3/P4 page only in office hours; the policy is the service team's first escalation policy. Security
incidents and breaches also page the security rota's policy. Runs inside the incident's transaction.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone

from watchkeeper.catalogue.queries import calendar_for
from watchkeeper.domain.office_time import BeyondKnownHolidays, is_office_time
from watchkeeper.incidents import events, panels
from watchkeeper.incidents.models import Incident
from watchkeeper.notifications import routing
from watchkeeper.notifications.models import Kind
from watchkeeper.oncall import contacts, services, tasks
from watchkeeper.oncall.models import EscalationPolicy, Page, PageStatus, PagingRule

DEFAULT_WHEN = {"P1": "always", "P2": "always", "P3": "office_hours", "P4": "office_hours"}
RESTRICTED_TYPES = {"security_incident", "personal_data_breach"}


def _in_office_hours(incident: Incident) -> bool:
    try:
        return is_office_time(calendar_for(incident.service), timezone.now())
    except BeyondKnownHolidays:
        return True  # past the bank holiday list: page rather than stay silent


def policies_for(incident: Incident) -> list[EscalationPolicy]:
    rule = PagingRule.objects.filter(service=incident.service, priority=incident.priority).select_related("policy")
    found = rule.first()
    when = found.when if found else DEFAULT_WHEN.get(incident.priority, "never")
    policy = found.policy if found else EscalationPolicy.objects.filter(team=incident.service.team).first()
    chosen = []
    if policy is not None and (when == "always" or (when == "office_hours" and _in_office_hours(incident))):
        chosen.append(policy)
    if incident.type in RESTRICTED_TYPES:
        security = EscalationPolicy.objects.filter(slug=settings.ONCALL["SECURITY_POLICY"]).first()
        if security is not None and security not in chosen:
            chosen.append(security)
    return chosen


def page_incident(incident: Incident, actor: User | None, source: str) -> list[Page]:
    """Pages each policy the incident calls for, unless a page for it through that policy is still open."""
    open_pages = Page.objects.filter(incident=incident, status__in=[PageStatus.TRIGGERED, PageStatus.ACKNOWLEDGED])
    already = set(open_pages.values_list("policy_id", flat=True))
    created = []
    for policy in policies_for(incident):
        if policy.pk in already:
            continue
        summary = f"{incident.reference} ({incident.priority}): {incident.title}"
        created.append(
            services.trigger_page(summary=summary, policy=policy, incident=incident, source=source, actor=actor)
        )
    return created


def on_incident_event(event: events.IncidentEvent) -> None:
    incident = Incident.objects.select_related("service", "service__team").get(pk=event.incident_id)
    if event.name == events.PRIORITY_CHANGED and event.data.get("previous", "P4") <= incident.priority:
        return  # lowered or unchanged: a page already running carries on, and nothing new is needed
    actor = User.objects.filter(pk=event.actor_id).first() if event.actor_id else None
    page_incident(incident, actor, "incident")


def connect() -> None:
    events.queue(
        {
            "oncall.start_page": tasks.start_page,
            "oncall.send_notification": tasks.send_notification,
            "oncall.escalate": tasks.escalate,
            "oncall.reply_sms": tasks.reply_sms,
            "oncall.nightly_check": tasks.nightly_check,
        }
    )
    events.add_handler(on_incident_event, {events.DECLARED, events.PRIORITY_CHANGED, events.TYPE_CHANGED})
    # Escalation contacts (or any route) may be a schedule: whoever is on call when the message is routed.
    routing.expand_with(Kind.ONCALL, contacts.expand, contacts.check)
    panels.contribute_section("oncall/incident_pages.html")

"""What alerts does when other apps change things: a page acknowledged or resolved carries over to its groups."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.urls import reverse

from watchkeeper.alerts import queries, tasks
from watchkeeper.alerts.models import AlertGroup
from watchkeeper.alerts.services import groups
from watchkeeper.incidents import events, panels
from watchkeeper.incidents.models import Incident
from watchkeeper.oncall.models import Page


def on_page_event(event: events.RecordEvent) -> None:
    """Runs in on call's transaction, so the page and its groups change together."""
    page = Page.objects.select_related("acknowledged_by").get(pk=event.pk)
    linked = AlertGroup.objects.filter(group_pages__page=page, group_pages__reason__in=["group", "storm"])
    if event.name == events.PAGE_ACKNOWLEDGED and page.acknowledged_by is not None:
        for group in linked.filter(status="firing"):
            groups.acknowledge_group(page.acknowledged_by, group, via="page", from_page=True)
    elif event.name == events.PAGE_RESOLVED:
        for group in linked.filter(status__in=["firing", "acknowledged"]):
            # Resolving the page means the person has dealt with it; the sender's next trigger opens a new group.
            groups.resolve_group(None, group, via="page")


def offer_to_resolve_groups(user: User, incident: Incident) -> panels.Link | None:
    """Resolving an incident never resolves its alerts: it asks, on a page of its own."""
    count = queries.open_for_incident(incident).count()
    if not count:
        return None
    text = f"It still has {count} open alert group{'' if count == 1 else 's'}: resolve them too, or leave them open."
    return panels.Link(text, reverse("alerts:incident-groups", args=[incident.reference]))


def connect() -> None:
    events.queue({"alerts.check_heartbeat": tasks.check_heartbeat})
    events.add_handler(on_page_event, {events.PAGE_ACKNOWLEDGED, events.PAGE_RESOLVED})
    # The incident keeps its alerts; once it is resolved, the page offers to resolve the groups still open.
    panels.contribute_section("alerts/incident_alerts.html")
    panels.contribute_after_resolve(offer_to_resolve_groups)

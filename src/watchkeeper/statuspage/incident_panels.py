"""What the incident pages show about the status page: where each incident stands publicly, the form for its
next public post, and a flag when the public page has fallen behind the incident."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser, User
from django.urls import reverse

from watchkeeper.accounts.roles import can_act, is_admin
from watchkeeper.incidents.models import Incident
from watchkeeper.incidents.panels import Link, PublicState
from watchkeeper.statuspage.models import PublicIncident
from watchkeeper.statuspage.vocabulary import STATUS_LABELS

# The public status that matches each internal one; a closed incident is simply resolved to the public.
PUBLIC_FOR = {"investigating": "investigating", "identified": "identified", "monitoring": "monitoring"}


def matching_public_status(incident: Incident) -> str:
    return PUBLIC_FOR.get(incident.status, "resolved")


def may_publish(user: User | AnonymousUser, incident: Incident) -> bool:
    # A restricted incident goes to the status page only through an admin's explicit confirmation.
    return can_act(user) and (is_admin(user) if incident.restricted else True)


def publish_href(incident: Incident, body: str = "") -> str:
    url = reverse("statuspage:publish-incident", kwargs={"reference": incident.reference})
    return f"{url}?{urlencode({'body': body})}" if body else url


def update_href(public: PublicIncident, incident: Incident) -> str:
    query = urlencode({"status": matching_public_status(incident), "from": "incident"})
    return f"{reverse('statuspage:public-incident', kwargs={'pk': public.pk})}?{query}"


def latest_public(incidents: list[Incident]) -> dict[int, PublicIncident]:
    """Each incident's newest public incident, in one query."""
    found: dict[int, PublicIncident] = {}
    rows = PublicIncident.objects.filter(incident__in=incidents, kind=PublicIncident.Kind.INCIDENT)
    for public in rows.order_by("incident_id", "-created_at", "-id"):
        assert public.incident_id is not None
        found.setdefault(public.incident_id, public)
    return found


def public_states(user: User | AnonymousUser, incidents: list[Incident]) -> dict[int, PublicState]:
    publics = latest_public(incidents)
    states: dict[int, PublicState] = {}
    for incident in incidents:
        public = publics.get(incident.pk)
        allowed = may_publish(user, incident)
        if public is None or (public.resolved_at is not None and incident.is_open):
            # Never published, or reopened after its public incident was resolved: the next post is a publish.
            href = publish_href(incident) if allowed and incident.is_open else ""
            states[incident.pk] = PublicState(public is not None, public.status if public else "", href)
            continue
        page = reverse("statuspage:incident", kwargs={"pk": public.pk})
        href = update_href(public, incident) if allowed and public.is_open else ""
        states[incident.pk] = PublicState(True, public.status, href, page)
    return states


def behind_flags(user: User | AnonymousUser, incidents: list[Incident]) -> dict[int, str]:
    """'Status page still says Investigating' on every incident whose public page contradicts it."""
    by_id = {incident.pk: incident for incident in incidents}
    return {
        pk: f"Status page still says {STATUS_LABELS[state.status]}"
        for pk, state in public_states(user, incidents).items()
        if state.behind(by_id[pk])
    }


def incident_links(user: User | AnonymousUser, incident: Incident) -> list[Link]:
    state = public_states(user, [incident])[incident.pk]
    links = []
    if state.href:
        text = "Update the status page" if state.page_href else "Publish to status page"
        links.append(Link(text, state.href))
    if state.page_href:
        links.append(Link("See it on the public status page", state.page_href, STATUS_LABELS[state.status]))
    return links

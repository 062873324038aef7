"""Who may see and act on which incident. Restricted incidents are invisible outside their team."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet

from watchkeeper.accounts.roles import Role, can_act, has_role
from watchkeeper.incidents.models import Incident

Person = User | AnonymousUser


def sees_all_restricted(user: Person) -> bool:
    return has_role(user, Role.ADMIN, Role.SECURITY)


def _team_filter(user: Person) -> Q:
    return (
        Q(incident_lead=user)
        | Q(comms_lead=user)
        | Q(technical_lead=user)
        | Q(declared_by=user)
        | Q(responders__user=user, responders__left_at__isnull=True)
    )


def on_team(user: Person, incident: Incident) -> bool:
    """On this incident's response team: a lead, its declarer, or a responder who has not left."""
    if not user.is_authenticated:
        return False
    return Incident.objects.filter(_team_filter(user), pk=incident.pk).exists()


def visible_incidents(user: Person) -> QuerySet[Incident]:
    """Every list, count, search, page, API answer and CLI line starts here."""
    incidents = Incident.objects.select_related("service", "service__team", "incident_lead", "comms_lead")
    if not user.is_authenticated or not has_role(user, *Role):
        return incidents.none()
    if sees_all_restricted(user):
        return incidents
    visible_ids = Incident.objects.filter(Q(restricted=False) | _team_filter(user)).values("id")
    return incidents.filter(id__in=visible_ids)


def can_see(user: Person, incident: Incident) -> bool:
    return visible_incidents(user).filter(pk=incident.pk).exists()


def can_act_on(user: Person, incident: Incident) -> bool:
    return can_act(user) and can_see(user, incident)

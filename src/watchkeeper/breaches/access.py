"""Who may see a breach record, its security response and its evidence: the incident's own team and security.

A breach can be recorded on an incident that is not restricted (one marked as involving personal data), so
seeing the incident is not enough: outside the team, only the groups that see every restricted incident do.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import Http404

from watchkeeper.accounts.roles import Role, can_act, has_role
from watchkeeper.incidents.models import Incident
from watchkeeper.incidents.queries import get_incident
from watchkeeper.incidents.visibility import Person, on_team, sees_all_restricted


def is_data_protection(user: Person) -> bool:
    """The breach log's readers (UK GDPR Art. 33(5) record): the data protection officer's group and security."""
    return has_role(user, Role.DATA_PROTECTION, Role.SECURITY, Role.ADMIN)


def may_waive(user: Person) -> bool:
    """Only the security group may let a restricted incident resolve without contain, eradicate and recover."""
    return has_role(user, Role.SECURITY)


def on_incident(user: Person, incident: Incident) -> bool:
    return sees_all_restricted(user) or on_team(user, incident)


def incident_for(user: Person, reference: str) -> Incident:
    """404 alike for an unknown incident, one the user cannot see, and one whose breach work they are not part of."""
    incident = get_incident(user, reference)
    if not on_incident(user, incident):
        raise Http404(f"No incident {reference}")
    return incident


def may_act(user: User, incident: Incident) -> bool:
    return can_act(user) and on_incident(user, incident)

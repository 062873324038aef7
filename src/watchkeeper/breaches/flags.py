"""The ICO clock as a flag on every incident shown (dashboard, incident page, API, CLI), for those on the incident.

The same rule as breaches.access.on_incident (security and admins, or the incident's own team), answered for a
whole list at once: one query for the user's groups and one for the breach records, however many incidents.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from watchkeeper.breaches.models import Breach
from watchkeeper.breaches.queries import ico_status
from watchkeeper.incidents.models import Incident

# The private filter is on_team's own rule; using it keeps the batch answer identical to on_incident's.
from watchkeeper.incidents.visibility import Person, _team_filter, sees_all_restricted
from watchkeeper.web.formatting import relative, when


def ico_flag(breach: Breach, tz: str, now: datetime) -> str:
    """One phrase: the deadline in the service's local time while the ICO is still to hear, else the decision."""
    if breach.reported_to_ico_at:
        return ico_status(breach, now)
    if breach.report_to_ico is False:
        return "ICO: decided not to report"
    return f"ICO deadline {when(breach.ico_deadline, tz)} ({relative(breach.ico_deadline, now)})"


def ico_flags(user: Person, incidents: list[Incident]) -> dict[int, str]:
    if not user.is_authenticated or not incidents:
        return {}
    by_id = {incident.pk: incident for incident in incidents}
    breaches = Breach.objects.filter(incident__in=list(by_id))
    if not sees_all_restricted(user):
        breaches = breaches.filter(incident__in=Incident.objects.filter(_team_filter(user)).values("id"))
    now = timezone.now()
    return {
        breach.incident_id: ico_flag(breach, by_id[breach.incident_id].service.timezone, now) for breach in breaches
    }

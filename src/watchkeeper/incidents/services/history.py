"""Past incidents brought in from elsewhere (the register spreadsheet).

They are history: they keep the references they had, and no events are published, so nobody is notified or
reminded about them.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.contrib.auth.models import User

from watchkeeper.incidents.models import EntryKind, Incident
from watchkeeper.incidents.services import timeline


def add_past_incident(incident: Incident, *, author: User | None, note: str, data: Mapping[str, object]) -> Incident:
    """Saves an incident built from an imported record, with the timeline note that says where it came from.

    The caller reserved its reference first (``references.reserve``) and checked every field.
    """
    if incident.pk is not None:
        raise ValueError(f"{incident.reference} is already in Watchkeeper")
    incident.save()
    timeline.record(incident, EntryKind.NOTE, note, author=author, data=data)
    return incident

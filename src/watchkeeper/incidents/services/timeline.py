"""The only door to an incident's timeline.

The timeline is the legal record of a breach and the source of the incident report, so every entry, whoever
makes it (a person, a delivery, a reminder, the breach workflow, an import), is written here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from django.contrib.auth.models import User
from django.utils import timezone

from watchkeeper.incidents.models import Incident, TimelineEntry


def record(
    incident: Incident | int,
    kind: str,
    text: str,
    *,
    author: User | None = None,
    at: datetime | None = None,
    public: bool = False,
    data: Mapping[str, object] | None = None,
) -> TimelineEntry:
    """Appends one entry. ``incident`` may be its id, as a task that never loaded the incident holds it."""
    whose = {"incident_id": incident} if isinstance(incident, int) else {"incident": incident}
    return TimelineEntry.objects.create(
        **whose, at=at or timezone.now(), author=author, kind=kind, text=text, public=public, data=dict(data or {})
    )

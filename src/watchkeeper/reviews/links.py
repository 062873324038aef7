"""The report and review, linked from the incident page."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.urls import reverse

from watchkeeper.incidents.models import Incident
from watchkeeper.incidents.panels import Link


def incident_links(user: User | AnonymousUser, incident: Incident) -> list[Link]:
    # The incident page only renders for people who can see the incident, and so may read its report.
    ref = incident.reference
    return [
        Link("Incident report", reverse("reviews:report", kwargs={"reference": ref}), "living report, .md and .docx"),
        Link("Post-incident review", reverse("reviews:review", kwargs={"reference": ref})),
    ]

"""The incident page links its milestones page, and every list flags an exercise, through the panels registry."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.urls import reverse

from watchkeeper.incidents import panels
from watchkeeper.incidents.models import Incident


def _milestones_link(user: User | AnonymousUser, incident: Incident) -> list[panels.Link]:
    href = reverse("incidents:milestones", kwargs={"reference": incident.reference})
    return [panels.Link("Milestones", href, "The times insights measure from; correct one with a reason")]


def _exercise_flag(user: User | AnonymousUser, incidents: list[Incident]) -> dict[int, str]:
    return {incident.pk: "Exercise: left out of insights" for incident in incidents if incident.exercise}


def connect() -> None:
    panels.contribute(_milestones_link)
    panels.contribute_flag(_exercise_flag)

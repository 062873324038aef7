"""What the incidents API reads and writes. Field names here are a contract: scripts and the CLI rely on them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from ninja import Field, Schema

from watchkeeper.api.base import Input
from watchkeeper.domain.workflow import IncidentType
from watchkeeper.incidents import panels
from watchkeeper.incidents.checklist import StepState, checklist
from watchkeeper.incidents.models import Incident, TimelineEntry


def _username(user: User | None) -> str | None:
    return user.get_username() if user else None


# Where a list endpoint leaves each incident's flags, asked for the whole list at once (see api.incidents).
FLAGS_ATTRIBUTE = "_watchkeeper_flags"


def attach_flags(user: User, incidents: list[Incident]) -> list[Incident]:
    """Other apps' flags for every incident, read for this user in a fixed number of queries however many."""
    found = panels.flags_for(user, incidents)
    for incident in incidents:
        setattr(incident, FLAGS_ATTRIBUTE, found[incident.pk])
    return incidents


# A page of incidents: each carries its whole timeline and checklist, so a page stays small.
PAGE_SIZE = 25
MAX_PAGE_SIZE = 100


class Versioned(Input):
    version: int | None = Field(
        None, description="The version you last read: the change is refused with 409 if someone changed it since."
    )


class IncidentIn(Input):
    title: str
    service: str = Field(description="The service's short name (slug)")
    type: str = IncidentType.TECHNICAL_FAILURE.value
    priority: str | None = Field(None, description="P1 to P4; without one the incident starts as P3")
    reported_at: datetime | None = Field(
        None, description="When the problem was first noticed: ISO 8601 with an offset, never in the future"
    )
    description: str = ""
    reporter: str = Field("", description="Who noticed, if not you")
    restricted: bool = False
    take_lead: bool = Field(False, description="Become the incident lead at once")
    idempotency_key: str | None = Field(
        None, max_length=64, description="Send the same key again and you get the first incident, not a second one"
    )


class RoleIn(Versioned):
    username: str | None = Field(description="Who takes the role; null clears a comms or technical lead")


class PriorityIn(Versioned):
    priority: str
    reason: str


class TypeIn(Versioned):
    type: str
    reason: str


class StatusIn(Versioned):
    status: str
    note: str = ""


class UpdateIn(Versioned):
    body: str
    public: bool = Field(False, description="Meant for the public status page")
    confirm_restricted: bool = Field(
        False, description="An admin's explicit decision that a restricted incident's update may be public"
    )


class NoteIn(Versioned):
    body: str
    kind: str = Field("note", description="note, action or decision")


class ResolveIn(Versioned):
    summary: str


class ReopenIn(Versioned):
    reason: str


class ChecklistIn(Versioned):
    step: str = Field(description="lead_established, team_informed, prioritised, …")
    note: str = ""


class TimelineEntryOut(Schema):
    at: datetime
    author: str | None
    kind: str
    text: str
    public: bool

    @staticmethod
    def resolve_author(entry: TimelineEntry) -> str | None:
        return _username(entry.author)


class ChecklistStepOut(Schema):
    step: str
    number: int
    label: str
    required: bool
    done_at: datetime | None
    done_by: str | None
    automatic: bool

    @staticmethod
    def resolve_step(state: StepState) -> str:
        return state.step.value

    @staticmethod
    def resolve_number(state: StepState) -> int:
        return state.step.number

    @staticmethod
    def resolve_label(state: StepState) -> str:
        return state.step.label


class IncidentOut(Schema):
    reference: str
    url: str
    title: str
    description: str
    service: str
    timezone: str = Field(description="The service's time zone: people read this incident's times in it")
    type: str
    priority: str
    status: str
    restricted: bool
    reported_at: datetime
    declared_at: datetime
    declared_by: str | None
    reporter: str
    respond_by: datetime
    response_met_at: datetime | None
    response_met_on_time: bool | None
    first_update_by: datetime
    next_update_due: datetime | None
    last_update_at: datetime | None
    updates_late: int
    resolved_at: datetime | None
    closed_at: datetime | None
    summary: str
    incident_lead: str | None
    comms_lead: str | None
    technical_lead: str | None
    responders: list[str] = Field(description="Who is on the response team now")
    version: int
    checklist: list[ChecklistStepOut]
    timeline: list[TimelineEntryOut] = Field(description="Oldest first")
    flags: list[str] = Field(
        description="Short phrases other records add for you, such as the ICO deadline of a personal data breach "
        "(only for those on the incident)"
    )

    @staticmethod
    def resolve_url(incident: Incident) -> str:
        return f"{settings.SITE_URL}/incidents/{incident.reference}/"

    @staticmethod
    def resolve_service(incident: Incident) -> str:
        return incident.service.slug

    @staticmethod
    def resolve_timezone(incident: Incident) -> str:
        return incident.service.timezone

    @staticmethod
    def resolve_declared_by(incident: Incident) -> str | None:
        return _username(incident.declared_by)

    @staticmethod
    def resolve_response_met_on_time(incident: Incident) -> bool | None:
        if incident.response_met_at is None:
            return None
        return incident.response_met_at <= incident.respond_by

    @staticmethod
    def resolve_incident_lead(incident: Incident) -> str | None:
        return _username(incident.incident_lead)

    @staticmethod
    def resolve_comms_lead(incident: Incident) -> str | None:
        return _username(incident.comms_lead)

    @staticmethod
    def resolve_technical_lead(incident: Incident) -> str | None:
        return _username(incident.technical_lead)

    @staticmethod
    def resolve_responders(incident: Incident) -> list[str]:
        # Filtered here rather than in the query so the router's prefetch serves it: no query per listed incident.
        return [r.user.get_username() for r in incident.responders.all() if r.left_at is None]

    @staticmethod
    def resolve_checklist(incident: Incident) -> list[StepState]:
        return checklist(incident)

    @staticmethod
    def resolve_timeline(incident: Incident) -> list[TimelineEntry]:
        # Prefetched in order (oldest first, then by id so entries in the same instant keep their order).
        return list(incident.timeline.all())

    @staticmethod
    def resolve_flags(incident: Incident, context: dict[str, Any] | None) -> list[str]:
        # A list endpoint has attached them in one batch; a single incident is asked for here, for whoever asked.
        attached: list[str] | None = getattr(incident, FLAGS_ATTRIBUTE, None)
        if attached is not None:
            return attached
        request = (context or {}).get("request")
        return [] if request is None else panels.flags_for(request.user, [incident])[incident.pk]


class IncidentPage(Schema):
    count: int
    page: int
    pages: int
    rows: list[IncidentOut]


class MeOut(Schema):
    username: str
    groups: list[str]

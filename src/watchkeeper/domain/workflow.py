"""Incident statuses and the moves between them, incident types, and the GDS steps checklist.

The transition table is data so that views, the API, the CLI and Slack all enforce the
same rules and a change to them is made in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from watchkeeper.domain.priority import Priority


class Status(StrEnum):
    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"
    CLOSED = "closed"

    @classmethod
    def parse(cls, text: str) -> Status:
        try:
            return cls(text.strip().lower())
        except ValueError:
            raise ValueError(
                f"unknown status {text!r}: use investigating, identified, monitoring, resolved or closed"
            ) from None


TRANSITIONS: Mapping[Status, frozenset[Status]] = MappingProxyType(
    {
        Status.INVESTIGATING: frozenset({Status.IDENTIFIED, Status.MONITORING, Status.RESOLVED}),
        Status.IDENTIFIED: frozenset({Status.INVESTIGATING, Status.MONITORING, Status.RESOLVED}),
        Status.MONITORING: frozenset({Status.INVESTIGATING, Status.IDENTIFIED, Status.RESOLVED}),
        # Back to investigating is a reopening; closed means the review and register row are done.
        Status.RESOLVED: frozenset({Status.INVESTIGATING, Status.CLOSED}),
        Status.CLOSED: frozenset(),
    }
)

# Still being worked on: the update clock runs and the incident counts as live.
OPEN_STATUSES: frozenset[Status] = frozenset({Status.INVESTIGATING, Status.IDENTIFIED, Status.MONITORING})


class TransitionNotAllowed(ValueError):
    def __init__(self, current: Status, wanted: Status) -> None:
        self.current = current
        self.wanted = wanted
        allowed = [status.value for status in Status if status in TRANSITIONS[current]]
        reason = f"allowed next statuses are {', '.join(allowed)}" if allowed else f"{current} is final"
        super().__init__(f"cannot move from {current} to {wanted}: {reason}")


def can_transition(current: Status, wanted: Status) -> bool:
    return wanted in TRANSITIONS[current]


def check_transition(current: Status, wanted: Status) -> None:
    if not can_transition(current, wanted):
        raise TransitionNotAllowed(current, wanted)


class IncidentType(StrEnum):
    TECHNICAL_FAILURE = "technical_failure"
    SYSTEM_ACCESS = "system_access"
    SECURITY_VULNERABILITY = "security_vulnerability"
    SECURITY_INCIDENT = "security_incident"
    PERSONAL_DATA_BREACH = "personal_data_breach"
    DENIAL_OF_SERVICE = "denial_of_service"
    OTHER = "other"

    @classmethod
    def parse(cls, text: str) -> IncidentType:
        try:
            return cls(text.strip().lower())
        except ValueError:
            raise ValueError(f"unknown incident type {text!r}: use {', '.join(cls)}") from None

    @property
    def label(self) -> str:
        return _TYPE_LABELS[self]

    @property
    def restricted(self) -> bool:
        return self in RESTRICTED_TYPES


_TYPE_LABELS: Mapping[IncidentType, str] = MappingProxyType(
    {
        IncidentType.TECHNICAL_FAILURE: "Technical failure",
        IncidentType.SYSTEM_ACCESS: "System access problem",
        IncidentType.SECURITY_VULNERABILITY: "Security vulnerability",
        IncidentType.SECURITY_INCIDENT: "Security incident",
        IncidentType.PERSONAL_DATA_BREACH: "Personal data breach",
        IncidentType.DENIAL_OF_SERVICE: "Denial of service",
        IncidentType.OTHER: "Other",
    }
)

# Seen only by the response team, the security group and admins, and never published
# to the status page without an explicit decision.
RESTRICTED_TYPES: frozenset[IncidentType] = frozenset(
    {IncidentType.SECURITY_INCIDENT, IncidentType.PERSONAL_DATA_BREACH}
)


class Step(StrEnum):
    """The GDS Way's example incident workflow, in order."""

    LEAD_ESTABLISHED = "lead_established"
    TEAM_INFORMED = "team_informed"
    PRIORITISED = "prioritised"
    RESPONSE_TEAM_FORMED = "response_team_formed"
    INVESTIGATING_WITH_REPORT = "investigating_with_report"
    WIDER_AUDIENCE_TOLD = "wider_audience_told"
    RESOLVED_AND_REVIEWED = "resolved_and_reviewed"

    @property
    def number(self) -> int:
        return list(Step).index(self) + 1

    @property
    def label(self) -> str:
        return _STEP_LABELS[self]


_STEP_LABELS: Mapping[Step, str] = MappingProxyType(
    {
        Step.LEAD_ESTABLISHED: "Incident lead established",
        Step.TEAM_INFORMED: "Team informed",
        Step.PRIORITISED: "Incident prioritised",
        Step.RESPONSE_TEAM_FORMED: "Response team formed, with an incident lead and a communications lead",
        Step.INVESTIGATING_WITH_REPORT: "Investigating, with the incident report kept up to date",
        Step.WIDER_AUDIENCE_TOLD: "Wider audience told",
        Step.RESOLVED_AND_REVIEWED: "Resolved, with a blameless review and a row in the register",
    }
)

# The GDS Way asks for a wider audience, escalation contacts included, only when it is serious.
_WIDER_AUDIENCE_PRIORITIES = frozenset({Priority.P1, Priority.P2})


def required_steps(priority: Priority, incident_type: IncidentType) -> list[Step]:
    """The numbered steps an incident of this priority and type must complete, in order.

    The type does not change the numbered steps today (security incidents add
    :func:`security_steps` alongside them); it is asked for so the whole rule lives here.
    """
    return [step for step in Step if step is not Step.WIDER_AUDIENCE_TOLD or priority in _WIDER_AUDIENCE_PRIORITIES]


class SecurityStep(StrEnum):
    """Extra steps for security incidents and data breaches, done before communicating widely."""

    CONTAIN = "contain"
    ERADICATE = "eradicate"
    RECOVER = "recover"

    @property
    def label(self) -> str:
        return _SECURITY_STEP_LABELS[self]


_SECURITY_STEP_LABELS: Mapping[SecurityStep, str] = MappingProxyType(
    {
        SecurityStep.CONTAIN: "Contain: stop it spreading or getting worse",
        SecurityStep.ERADICATE: "Eradicate: remove the cause",
        SecurityStep.RECOVER: "Recover: restore systems and data to normal",
    }
)


def security_steps(incident_type: IncidentType) -> list[SecurityStep]:
    return list(SecurityStep) if incident_type in RESTRICTED_TYPES else []

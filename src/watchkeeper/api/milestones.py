"""An incident's milestones over JSON: read them, and correct them with a reason (incidents.services.milestones)."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema

from watchkeeper.api.incidents import _actor, _require_responder
from watchkeeper.incidents import queries
from watchkeeper.incidents.models import Incident
from watchkeeper.incidents.services import milestones

router = Router(tags=["incidents"])


class MilestonesIn(Schema):
    reason: str = Field("", description="Why the times are being corrected; recorded on the timeline.")
    exercise: bool | None = Field(None, description="True for a drill or game day, left out of insights.")
    version: int | None = Field(None, description="The version you last read: 409 if someone changed it since.")
    impact_started_at: datetime | None = None
    detected_at: datetime | None = None
    declared_at: datetime | None = None
    acknowledged_at: datetime | None = None
    responded_at: datetime | None = None
    mitigated_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None


class MilestonesOut(Schema):
    reference: str
    exercise: bool
    version: int
    milestones: dict[str, datetime | None]


def _out(incident: Incident) -> MilestonesOut:
    return MilestonesOut(
        reference=incident.reference,
        exercise=incident.exercise,
        version=incident.version,
        milestones=milestones.milestones_of(incident),
    )


@router.get("/incidents/{reference}/milestones", response=MilestonesOut)
def show(request: HttpRequest, reference: str) -> MilestonesOut:
    return _out(queries.get_incident(_actor(request), reference))


@router.post("/incidents/{reference}/milestones", response=MilestonesOut)
def correct(request: HttpRequest, reference: str, payload: MilestonesIn) -> MilestonesOut:
    """Corrects one or more milestones; their order is checked so no duration can be negative (422 otherwise)."""
    actor = _actor(request)
    incident = queries.get_incident(actor, reference)
    _require_responder(actor)
    given = payload.model_dump(exclude_unset=True)
    changes = {name: given[name] for name in milestones.MILESTONES if name in given}
    # A stale version raises Conflict, which api.base answers with 409.
    updated = milestones.correct_milestones(
        actor,
        incident,
        changes,
        payload.reason,
        exercise=payload.exercise,
        expected_version=payload.version,
    )
    return _out(updated)

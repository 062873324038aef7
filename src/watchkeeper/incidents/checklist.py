"""The GDS steps checklist as it stands; ticking is ``incidents.services.checklist.tick``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from watchkeeper.domain.workflow import Step, required_steps
from watchkeeper.incidents.models import Incident


@dataclass(frozen=True)
class StepState:
    step: Step
    required: bool
    done_at: datetime | None
    done_by: str | None
    automatic: bool


def checklist(incident: Incident) -> list[StepState]:
    ticks = {t.step: t for t in incident.checklist.select_related("done_by")}
    required = set(required_steps(incident.priority_enum, incident.type_enum))
    states = []
    for step in Step:
        done = ticks.get(step.value)
        states.append(
            StepState(
                step=step,
                required=step in required,
                done_at=done.done_at if done else None,
                done_by=done.done_by.get_username() if done and done.done_by else None,
                automatic=done.automatic if done else False,
            )
        )
    return states

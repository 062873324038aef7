"""The GDS steps checklist: most steps tick themselves from what happens; people tick the rest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.utils import timezone

from watchkeeper.domain.workflow import SecurityStep, Step, required_steps
from watchkeeper.incidents.models import ChecklistTick, Incident


def tick(
    incident: Incident, step: Step | SecurityStep, actor: User | None, *, automatic: bool = True, note: str = ""
) -> bool:
    """Ticks a step once; returns False when it was already ticked (the first who and when stand)."""
    _, created = ChecklistTick.objects.get_or_create(
        incident=incident,
        step=step.value,
        defaults={"done_at": timezone.now(), "done_by": actor, "automatic": automatic, "note": note},
    )
    return created


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

"""Ticking the GDS steps checklist: most steps tick themselves from what happens; people tick the rest."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.utils import timezone

from watchkeeper.domain.workflow import SecurityStep, Step
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

"""Deferred checks: a heartbeat that does not come in time raises an alert."""

from __future__ import annotations

from datetime import datetime

from django_tasks import task

from watchkeeper.alerts.services import groups


@task()
def check_heartbeat(integration_id: int, beat: str) -> None:
    groups.check_heartbeat(integration_id, datetime.fromisoformat(beat))

"""Deferred checks: a heartbeat that does not come in time raises an alert."""

from __future__ import annotations

from datetime import datetime

from django_tasks import task


@task()
def check_heartbeat(integration_id: int, beat: str) -> None:
    from watchkeeper.alerts.services.groups import check_heartbeat as check

    check(integration_id, datetime.fromisoformat(beat))

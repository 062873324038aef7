"""Deferred work on the 72-hour clock; the logic lives in services so it can be tested and reused."""

from __future__ import annotations

from django_tasks import task

from watchkeeper.breaches import services


@task()
def breach_alert(breach_id: int, hours: int, kind: str, aware_at: str) -> str:
    return services.send_alert(breach_id, hours, kind, aware_at)

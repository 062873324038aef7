"""Running queued tasks for real, with the database worker, and failing the test if any task raised."""

from __future__ import annotations

from datetime import datetime

from django.core.management import call_command
from django_tasks_db.models import DBTaskResult


def run_tasks() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    failed = DBTaskResult.objects.failed()
    if failed.exists():
        raise AssertionError("a task failed:\n" + "\n".join(result.traceback for result in failed))


def next_run_after(until: datetime) -> datetime | None:
    upcoming = DBTaskResult.objects.filter(status="READY", run_after__lte=until).order_by("run_after").first()
    return upcoming.run_after if upcoming else None


def run_until(clock: object, until: datetime) -> None:
    """Runs tasks as time passes (a time_machine traveller) up to ``until``, firing deferred ones at their instant."""
    run_tasks()
    while (instant := next_run_after(until)) is not None:
        clock.move_to(instant)  # type: ignore[attr-defined]
        run_tasks()
    clock.move_to(until)  # type: ignore[attr-defined]
    run_tasks()

"""The one event bus: what happened to an incident (its record, its report, its breach clock), or to a record outside
one (an on-call page, the catalogue), published inside the transaction that made the change; and the one way code
asks for background work, by task name (queue() and enqueue()), so no module imports the task that runs it.

Apps that react (notifications, status page, reviews, breaches, on call, Slack) add their handlers from their
AppConfig.ready(), each from its own handlers.py; the publishers never import them. A handler that enqueues work
does so in the same transaction, so the change and its consequences commit together or not at all. The names of
every event can be imported from here, so an app can listen to another without importing it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django_tasks.base import Task

# The names are domain vocabulary (the routing rules match on them); apps import them from here, with the bus.
from watchkeeper.domain.event_names import (  # noqa: F401 - re-exported with the bus
    BREACH_ESCALATION,
    BREACH_REMINDER,
    CLOSED,
    DECLARED,
    INCIDENT_CHANGES,
    PRIORITY_CHANGED,
    REOPENED,
    REPORT_CHANGED,
    RESOLVED,
    ROLE_CHANGED,
    STATUS_CHANGED,
    TYPE_CHANGED,
    UPDATED,
)


@dataclass(frozen=True)
class IncidentEvent:
    name: str
    incident_id: int
    actor_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)


# Published by on call when a page is acknowledged or resolved (the page may belong to no incident yet).
PAGE_ACKNOWLEDGED = "page.acknowledged"
PAGE_RESOLVED = "page.resolved"
# Published by the catalogue when a service or component is added, changed or removed.
CATALOGUE_CHANGED = "catalogue.changed"


@dataclass(frozen=True)
class RecordEvent:
    """What happened to a record outside any incident's own: its row's primary key, on the same bus."""

    name: str
    pk: int
    actor_id: int | None = None


Handler = Callable[[IncidentEvent], None] | Callable[[RecordEvent], None]
# Each handler with the event names it wants; None means every event.
_handlers: list[tuple[Callable[[Any], None], frozenset[str] | None]] = []
# Background tasks by name (see queue()).
_tasks: dict[str, Task[Any, Any]] = {}

# A guard raises ValidationError to stop a move: no review, no close (reviews); no containment, no
# resolution for a security incident (breaches).
Guard = Callable[[Any], None]
_close_guards: list[Guard] = []
_resolve_guards: list[Guard] = []


def guard_close(guard: Guard) -> Guard:
    if guard not in _close_guards:
        _close_guards.append(guard)
    return guard


def guard_resolve(guard: Guard) -> Guard:
    if guard not in _resolve_guards:
        _resolve_guards.append(guard)
    return guard


def check_close(incident: Any) -> None:
    for guard in list(_close_guards):
        guard(incident)


def check_resolve(incident: Any) -> None:
    for guard in list(_resolve_guards):
        guard(incident)


def add_handler(handler: Handler, names: Iterable[str] | None = None) -> Handler:
    """Calls handler for each event named in names (every event without names). Adding a handler twice is a no-op, so
    ready() may run more than once. Bound methods compare equal, not identical."""
    if all(known != handler for known, _ in _handlers):
        _handlers.append((handler, None if names is None else frozenset(names)))
    return handler


def remove_handler(handler: Handler) -> None:
    _handlers[:] = [(known, names) for known, names in _handlers if known != handler]


def queue(tasks: Mapping[str, Task[Any, Any]]) -> None:
    """Names the tasks enqueue() may ask for. Each app's handlers.connect() names its own, so this is the one place
    an app's tasks are reached from and the modules those tasks run never import tasks.py."""
    _tasks.update(tasks)


def enqueue(name: str, *args: Any, run_after: datetime | None = None) -> str:
    """Enqueues the task named name in the caller's transaction, as a handler would, and returns the queued task's
    id. The caller is often the task's own body (a retry, the next step, tomorrow's check), which is why it asks by
    name instead of importing it."""
    try:
        task = _tasks[name]
    except KeyError:
        raise LookupError(f"no task is named {name!r}; its app's handlers.connect() names them") from None
    return str((task if run_after is None else task.using(run_after=run_after)).enqueue(*args).id)


def publish(event: IncidentEvent | RecordEvent) -> None:
    # Errors propagate on purpose: a handler that cannot record its work must roll the change back.
    for handler, names in list(_handlers):
        if names is None or event.name in names:
            handler(event)

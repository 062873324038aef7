"""Two people acting at once: neither change is lost, references never collide, a double submit declares once.

Real threads against real PostgreSQL row locks; SQLite serialises writers anyway, so these run on PostgreSQL.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections

from tests.factories import make_incident, make_service, make_user
from watchkeeper.incidents import services as incidents
from watchkeeper.incidents.models import Incident

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def at_once(
    *actions: Callable[[], object],
) -> list[object]:
    """Runs the actions in threads released together; returns results or raised exceptions."""
    barrier = threading.Barrier(len(actions))
    results: list[object] = [None] * len(actions)

    def run(index: int, action: Callable[[], object]) -> None:
        barrier.wait()
        try:
            results[index] = action()
        except Exception as error:  # the test inspects what each thread got
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_simultaneous_updates_are_both_kept() -> None:
    ada, bob = make_user("ada"), make_user("bob")
    incident = make_incident(ada, priority="P1")
    before = incident.version
    at_once(
        lambda: incidents.post_update(ada, incident, "Update from Ada"),
        lambda: incidents.post_update(bob, incident, "Update from Bob"),
        lambda: incidents.add_note(bob, incident, "Note from Bob"),
    )
    incident.refresh_from_db()
    texts = set(incident.timeline.values_list("text", flat=True))
    assert {"Update from Ada", "Update from Bob", "Note from Bob"} <= texts
    assert incident.version == before + 2  # two updates; notes do not change the incident row


def test_simultaneous_declarations_get_distinct_references() -> None:
    ada = make_user("ada")
    service = make_service()
    results = at_once(*[lambda: make_incident(ada, service) for _ in range(6)])
    assert all(isinstance(r, Incident) for r in results), results
    references = [r.reference for r in results]  # type: ignore[attr-defined]
    assert len(set(references)) == 6


def test_a_double_submitted_form_declares_one_incident() -> None:
    ada = make_user("ada")
    service = make_service()
    results = at_once(*[lambda: make_incident(ada, service, idempotency_key="form-1") for _ in range(3)])
    assert all(isinstance(r, Incident) for r in results), results
    assert Incident.objects.count() == 1


def test_stale_form_loses_to_the_first_writer() -> None:
    ada, bob = make_user("ada"), make_user("bob")
    incident = make_incident(ada, priority="P2")
    version = incident.version
    results = at_once(
        lambda: incidents.change_priority(ada, incident, "P1", "Worse", expected_version=version),
        lambda: incidents.change_priority(bob, incident, "P3", "Better", expected_version=version),
    )
    conflicts = [r for r in results if isinstance(r, incidents.Conflict)]
    assert len(conflicts) == 1
    incident.refresh_from_db()
    assert incident.version == version + 1

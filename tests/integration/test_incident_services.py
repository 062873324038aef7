"""Every transition and every deadline effect of the incident service functions, with the clock frozen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import make_incident, make_service, make_user
from tests.integration.conftest import Listen
from watchkeeper.domain.workflow import Step
from watchkeeper.incidents import events
from watchkeeper.incidents import services as incidents
from watchkeeper.incidents.checklist import checklist
from watchkeeper.incidents.models import Incident, TimelineEntry
from watchkeeper.reviews.services import waive_review

pytestmark = pytest.mark.django_db

# Monday 30 November 2026, 10:00 GMT: inside office hours in England and Wales.
MONDAY_10AM = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


@pytest.fixture
def published(listen: Listen) -> list[events.IncidentEvent]:
    # The factories make services through the catalogue, which publishes its own changes on the same bus.
    return listen(events.INCIDENT_CHANGES)


def kinds(incident: Incident) -> list[str]:
    return list(incident.timeline.order_by("at", "id").values_list("kind", flat=True))


@time_machine.travel(MONDAY_10AM, tick=False)
def test_declare_sets_reference_clocks_timeline_and_event(published: list[events.IncidentEvent]) -> None:
    ada = make_user("ada")
    first = make_incident(ada, priority="P1")
    second = make_incident(ada, priority="P2")
    assert first.reference == "INC-2026-0001"
    assert second.reference == "INC-2026-0002"
    assert first.status == "investigating"
    assert first.respond_by == MONDAY_10AM + timedelta(minutes=20)
    assert first.first_update_by == MONDAY_10AM + timedelta(hours=1)
    assert first.next_update_due == MONDAY_10AM + timedelta(hours=1)
    assert kinds(first) == ["declared"]
    assert [e.name for e in published] == ["incident.declared", "incident.declared"]
    assert {s.step for s in checklist(first) if s.done_at} == {Step.PRIORITISED}


@time_machine.travel(MONDAY_10AM, tick=False)
def test_declare_backdated_starts_the_clock_when_first_noticed() -> None:
    noticed = MONDAY_10AM - timedelta(minutes=15)
    incident = make_incident(priority="P1", reported_at=noticed)
    assert incident.respond_by == noticed + timedelta(minutes=20)


@time_machine.travel(MONDAY_10AM, tick=False)
def test_declare_refuses_the_future_and_bad_values_and_saves_nothing() -> None:
    with pytest.raises(ValidationError) as caught:
        make_incident(title=" ", priority="P9", type="outage", reported_at=MONDAY_10AM + timedelta(minutes=1))
    assert set(caught.value.message_dict) == {"title", "priority", "type", "reported_at"}
    assert not Incident.objects.exists()


@time_machine.travel(MONDAY_10AM, tick=False)
def test_viewer_cannot_declare() -> None:
    with pytest.raises(PermissionDenied):
        make_incident(make_user("vic", "viewer"))


@time_machine.travel(MONDAY_10AM, tick=False)
def test_double_submit_with_the_same_key_declares_once() -> None:
    ada = make_user("ada")
    service = make_service()
    one = make_incident(ada, service, idempotency_key="form-123")
    two = make_incident(ada, service, idempotency_key="form-123")
    assert one.pk == two.pk
    assert Incident.objects.count() == 1


def test_taking_the_lead_meets_the_response_on_time_or_late() -> None:
    ada, bob = make_user("ada"), make_user("bob")
    with time_machine.travel(MONDAY_10AM, tick=False):
        on_time = make_incident(ada, priority="P1")
        late = make_incident(ada, priority="P1")
    with time_machine.travel(MONDAY_10AM + timedelta(minutes=19), tick=False):
        on_time = incidents.assign_role(ada, on_time, "incident_lead", ada)
    with time_machine.travel(MONDAY_10AM + timedelta(minutes=21), tick=False):
        late = incidents.assign_role(ada, late, "incident_lead", bob)
    assert on_time.response_met_at == MONDAY_10AM + timedelta(minutes=19)
    assert "response met on time" in on_time.timeline.last().text
    assert "response met late" in late.timeline.last().text
    assert late.incident_lead == bob


@time_machine.travel(MONDAY_10AM, tick=False)
def test_handover_is_recorded_and_response_time_is_kept() -> None:
    ada, bob = make_user("ada"), make_user("bob")
    incident = make_incident(ada, priority="P2", take_lead=True)
    met = incident.response_met_at
    assert incident.incident_lead == ada
    with time_machine.travel(MONDAY_10AM + timedelta(hours=1), tick=False):
        incident = incidents.assign_role(bob, incident, "incident_lead", bob)
    assert incident.response_met_at == met
    assert incident.timeline.last().text == "Incident lead handed over from ada to bob"


@time_machine.travel(MONDAY_10AM, tick=False)
def test_response_team_formed_when_lead_and_comms_lead_exist() -> None:
    ada = make_user("ada")
    incident = make_incident(ada, priority="P2", take_lead=True)
    assert Step.RESPONSE_TEAM_FORMED not in {s.step for s in checklist(incident) if s.done_at}
    incidents.assign_role(ada, incident, "comms_lead", ada)  # the same person may do both
    assert Step.RESPONSE_TEAM_FORMED in {s.step for s in checklist(incident) if s.done_at}


@time_machine.travel(MONDAY_10AM, tick=False)
def test_a_viewer_cannot_be_given_a_role() -> None:
    ada = make_user("ada")
    incident = make_incident(ada)
    with pytest.raises(ValidationError):
        incidents.assign_role(ada, incident, "comms_lead", make_user("vic", "viewer"))


def test_priority_change_recomputes_from_reported_at_and_needs_a_reason() -> None:
    ada = make_user("ada")
    with time_machine.travel(MONDAY_10AM, tick=False):
        incident = make_incident(ada, priority="P3")
    assert incident.respond_by == MONDAY_10AM + timedelta(hours=2)
    with time_machine.travel(MONDAY_10AM + timedelta(minutes=30), tick=False):
        with pytest.raises(ValidationError):
            incidents.change_priority(ada, incident, "P1", " ")
        incident = incidents.change_priority(ada, incident, "P1", "Card payments down for everyone")
    assert incident.respond_by == MONDAY_10AM + timedelta(minutes=20)
    assert incident.next_update_due == MONDAY_10AM + timedelta(hours=1)
    assert incident.timeline.last().text == "Priority changed from P3 to P1: Card payments down for everyone"


def test_p1_updates_reset_the_clock_and_late_ones_are_counted() -> None:
    ada = make_user("ada")
    with time_machine.travel(MONDAY_10AM, tick=False):
        incident = make_incident(ada, priority="P1")
    with time_machine.travel(MONDAY_10AM + timedelta(minutes=50), tick=False):
        incidents.post_update(ada, incident, "We are investigating failed card payments", public=True)
    incident.refresh_from_db()
    assert incident.next_update_due == MONDAY_10AM + timedelta(minutes=110)
    assert incident.updates_late == 0
    with time_machine.travel(MONDAY_10AM + timedelta(minutes=120), tick=False):
        incidents.post_update(ada, incident, "Fix is being deployed")
    incident.refresh_from_db()
    assert incident.updates_late == 1
    assert incident.next_update_due == MONDAY_10AM + timedelta(minutes=180)
    public = TimelineEntry.objects.filter(incident=incident, kind="update", public=True)
    assert [e.text for e in public] == ["We are investigating failed card payments"]


def test_p3_has_one_update_due_after_two_business_days() -> None:
    ada = make_user("ada")
    with time_machine.travel(MONDAY_10AM, tick=False):
        incident = make_incident(ada, priority="P3")
    assert incident.next_update_due == datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
    with time_machine.travel(MONDAY_10AM + timedelta(hours=3), tick=False):
        incidents.post_update(ada, incident, "Degraded service, workaround in place")
    incident.refresh_from_db()
    assert incident.next_update_due is None


def test_status_moves_only_along_the_transition_table() -> None:
    ada = make_user("ada")
    with time_machine.travel(MONDAY_10AM, tick=False):
        incident = make_incident(ada, priority="P2")
        incident = incidents.change_status(ada, incident, "identified", "Bad deploy")
        incident = incidents.change_status(ada, incident, "monitoring")
        incident = incidents.change_status(ada, incident, "investigating", "It came back")
        with pytest.raises(ValidationError) as caught:
            incidents.change_status(make_user("root", "admin"), incident, "closed")
        assert "cannot move from investigating to closed" in str(caught.value)
        with pytest.raises(ValidationError):
            incidents.change_status(ada, incident, "fixed")
    assert incident.status == "investigating"
    assert kinds(incident) == ["declared", "status", "status", "status"]


def test_resolve_stops_the_clocks_and_reopen_restarts_them() -> None:
    ada = make_user("ada")
    with time_machine.travel(MONDAY_10AM, tick=False):
        incident = make_incident(ada, priority="P1")
    with time_machine.travel(MONDAY_10AM + timedelta(minutes=40), tick=False):
        with pytest.raises(ValidationError):
            incidents.resolve(ada, incident, "")
        incident = incidents.resolve(ada, incident, "Rolled back the release")
    assert incident.status == "resolved"
    assert incident.resolved_at == MONDAY_10AM + timedelta(minutes=40)
    assert incident.next_update_due is None
    with pytest.raises(ValidationError):
        incidents.post_update(ada, incident, "Anything")
    with time_machine.travel(MONDAY_10AM + timedelta(hours=2), tick=False):
        incident = incidents.change_status(ada, incident, "investigating", "Errors are back")
    assert incident.status == "investigating"
    assert incident.resolved_at is None
    assert incident.next_update_due == MONDAY_10AM + timedelta(hours=3)


def test_only_admins_close_and_only_resolved_incidents() -> None:
    ada, root = make_user("ada"), make_user("root", "admin")
    with time_machine.travel(MONDAY_10AM, tick=False):
        incident = make_incident(ada, priority="P4")
        with pytest.raises(ValidationError):
            incidents.close(root, incident)
        incident = incidents.resolve(ada, incident, "Replaced the disk")
        with pytest.raises(PermissionDenied):
            incidents.close(ada, incident)
        with pytest.raises(ValidationError, match="review"):
            incidents.close(root, incident)  # the reviews app's gate: no review recorded or waived
        waive_review(root, incident, "A disk swap, reviewed in the weekly ops meeting")
        incident = incidents.close(root, incident)
        assert incident.status == "closed"
        with pytest.raises(ValidationError):
            incidents.change_status(root, incident, "investigating", "again")


@time_machine.travel(MONDAY_10AM, tick=False)
def test_stale_version_is_a_conflict_and_changes_nothing() -> None:
    ada, bob = make_user("ada"), make_user("bob")
    incident = make_incident(ada, priority="P2")
    seen_version = incident.version
    incidents.change_priority(bob, incident, "P1", "Worse than we thought", expected_version=seen_version)
    with pytest.raises(incidents.Conflict):
        incidents.change_priority(ada, incident, "P3", "Not so bad", expected_version=seen_version)
    incident.refresh_from_db()
    assert incident.priority == "P1"


@time_machine.travel(MONDAY_10AM, tick=False)
def test_notes_actions_decisions_and_manual_ticks() -> None:
    ada = make_user("ada")
    incident = make_incident(ada)
    incidents.add_note(ada, incident, "Checked the load balancer", "note")
    incidents.add_note(ada, incident, "Roll back release 42", "decision")
    with pytest.raises(ValidationError):
        incidents.add_note(ada, incident, "x", "gossip")
    incidents.tick_step(ada, incident, Step.TEAM_INFORMED.value, "Told them on the phone")
    states = {s.step: s for s in checklist(incident)}
    assert states[Step.TEAM_INFORMED].done_by == "ada"
    assert states[Step.TEAM_INFORMED].automatic is False
    assert states[Step.INVESTIGATING_WITH_REPORT].automatic is True
    assert kinds(incident) == ["declared", "note", "decision", "checklist"]


@time_machine.travel(MONDAY_10AM, tick=False)
def test_security_incidents_are_restricted_and_need_the_team_to_act() -> None:
    ada, eve = make_user("ada"), make_user("eve")
    incident = make_incident(ada, type="security_incident", priority="P1")
    assert incident.restricted
    with pytest.raises(PermissionDenied):
        incidents.add_note(eve, incident, "peeking")
    incidents.join(ada, incident, eve)
    incidents.add_note(eve, incident, "Now on the team")
    incidents.leave(ada, incident, eve)
    with pytest.raises(PermissionDenied):
        incidents.add_note(eve, incident, "gone again")


@time_machine.travel(MONDAY_10AM, tick=False)
def test_recognising_a_security_incident_restricts_it(published: list[events.IncidentEvent]) -> None:
    ada = make_user("ada")
    incident = make_incident(ada, type="technical_failure")
    assert not incident.restricted
    with pytest.raises(ValidationError):
        incidents.change_type(ada, incident, "security_incident", "")
    incident = incidents.change_type(ada, incident, "security_incident", "Logs show unauthorised access")
    assert incident.restricted
    assert published[-1].name == "incident.type_changed"
    assert published[-1].data == {"previous": "technical_failure", "type": "security_incident"}
    # Going back to a technical failure keeps it restricted: what was seen cannot be unseen.
    assert incidents.change_type(ada, incident, "technical_failure", "False alarm").restricted


@time_machine.travel(MONDAY_10AM, tick=False)
def test_restricting_needs_a_reason_and_hides_the_incident_from_outsiders() -> None:
    ada, eve = make_user("ada"), make_user("eve")
    incident = make_incident(ada)
    assert incident.reference in {i.reference for i in Incident.objects.all()}
    with pytest.raises(ValidationError):
        incidents.restrict(ada, incident, " ")
    incident = incidents.restrict(ada, incident, "Customer addresses were exposed")
    assert incident.restricted
    assert incident.timeline.last().text == "Restricted: Customer addresses were exposed"
    with pytest.raises(PermissionDenied):
        incidents.add_note(eve, incident, "still here?")

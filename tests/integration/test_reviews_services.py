"""Reports, review proposals, the close gate and follow-up actions, with the clock frozen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import make_incident, make_service, make_user
from watchkeeper.domain.workflow import Step
from watchkeeper.incidents import services as incidents
from watchkeeper.incidents.checklist import checklist
from watchkeeper.incidents.models import Incident
from watchkeeper.reviews import queries, services
from watchkeeper.reviews.models import Report, Review
from watchkeeper.reviews.report import in_words

pytestmark = pytest.mark.django_db

MONDAY_10AM = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # GMT, so UTC is local time


def resolved_incident(at: datetime, **fields: object) -> tuple[Incident, object]:
    lead = make_user()
    with time_machine.travel(at - timedelta(hours=2), tick=False):
        incident = make_incident(lead, take_lead=True, **fields)
    with time_machine.travel(at, tick=False):
        incidents.resolve(lead, incident, "Rolled back the release")
    incident.refresh_from_db()
    return incident, lead


def record(actor: object, incident: Incident, held_at: datetime) -> Review:
    return services.record_review(
        actor,  # type: ignore[arg-type]
        incident,
        held_at=held_at,
        attendance="Ada, Grace, Linus",
        root_cause="A configuration change removed the database index",
        root_cause_category="configuration",
        what_helped="Dashboards",
    )


@time_machine.travel(MONDAY_10AM, tick=False)
def test_every_declared_incident_has_a_report_from_the_start() -> None:
    incident = make_incident()
    report = Report.objects.get(incident=incident)
    assert report.sections == {}
    assert not report.publishable


@pytest.mark.parametrize(
    ("resolved", "proposed", "why"),
    [
        (MONDAY_10AM, datetime(2026, 12, 7, 10, 0, tzinfo=UTC), "five working days later, over one weekend"),
        (datetime(2026, 12, 5, 11, 0, tzinfo=UTC), datetime(2026, 12, 11, 10, 0, tzinfo=UTC), "resolved on Saturday"),
        (
            datetime(2026, 12, 18, 15, 0, tzinfo=UTC),
            datetime(2026, 12, 29, 10, 0, tzinfo=UTC),
            "Christmas Day and the Boxing Day substitute are skipped",
        ),
        (datetime(2026, 11, 30, 20, 0, tzinfo=UTC), datetime(2026, 12, 7, 10, 0, tzinfo=UTC), "resolved after hours"),
    ],
)
def test_review_is_proposed_within_five_business_days_on_resolution(
    resolved: datetime, proposed: datetime, why: str
) -> None:
    incident, lead = resolved_incident(resolved)
    review = Review.objects.get(incident=incident)
    assert review.proposed_for == proposed, why
    assert review.due_by == proposed.replace(hour=17, minute=30)
    assert list(review.invitees.all()) == [lead]
    assert "Review proposed" in incident.timeline.last().text


def test_review_window_is_configurable(settings: object) -> None:
    settings.WATCHKEEPER_REVIEW_WITHIN_BUSINESS_DAYS = 2  # type: ignore[attr-defined]
    incident, _ = resolved_incident(MONDAY_10AM)
    assert Review.objects.get(incident=incident).proposed_for == datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


def test_durations_in_plain_words() -> None:
    lead = make_user()
    with time_machine.travel(MONDAY_10AM, tick=False):
        incident = make_incident(lead, take_lead=True, reported_at=MONDAY_10AM - timedelta(minutes=30))
    with time_machine.travel(MONDAY_10AM + timedelta(hours=2, minutes=15), tick=False):
        incidents.resolve(lead, incident, "Fixed")
    incident.refresh_from_db()
    assert queries.total_duration(incident) == timedelta(hours=2, minutes=45)
    assert queries.time_to_fix(incident) == timedelta(hours=2, minutes=15)

    assert in_words(queries.total_duration(incident)) == "2 hours 45 minutes"
    assert in_words(None) == "Not resolved yet"


def test_closing_is_refused_until_the_review_is_recorded() -> None:
    incident, lead = resolved_incident(MONDAY_10AM)
    admin = make_user("root", "admin")
    with time_machine.travel(MONDAY_10AM + timedelta(days=1), tick=False):
        with pytest.raises(ValidationError) as caught:
            incidents.close(admin, incident)
        assert caught.value.messages == [services.CLOSE_REFUSED]
        incident.refresh_from_db()
        assert incident.status == "resolved"

        record(lead, incident, MONDAY_10AM + timedelta(hours=20))
        assert any(s.step is Step.RESOLVED_AND_REVIEWED and s.done_at for s in checklist(incident))
        closed = incidents.close(admin, incident)
    assert closed.status == "closed"


def test_an_admin_can_waive_the_review_with_a_reason() -> None:
    incident, lead = resolved_incident(MONDAY_10AM)
    admin = make_user("root", "admin")
    with time_machine.travel(MONDAY_10AM + timedelta(hours=1), tick=False):
        with pytest.raises(PermissionDenied):
            services.waive_review(lead, incident, "Tiny blip")  # type: ignore[arg-type]
        with pytest.raises(ValidationError) as caught:
            services.waive_review(admin, incident, "  ")
        assert "reason" in caught.value.message_dict
        services.waive_review(admin, incident, "Duplicate of INC-2026-0001")
        assert incidents.close(admin, incident).status == "closed"
    review = Review.objects.get(incident=incident)
    assert review.waiver_reason == "Duplicate of INC-2026-0001"
    assert review.waived_by == admin


def test_review_record_is_validated_and_saves_nothing_when_wrong() -> None:
    incident, lead = resolved_incident(MONDAY_10AM)
    with time_machine.travel(MONDAY_10AM + timedelta(hours=1), tick=False), pytest.raises(ValidationError) as caught:
        services.record_review(
            lead,  # type: ignore[arg-type]
            incident,
            held_at=MONDAY_10AM + timedelta(days=1),
            attendance="",
            root_cause="",
            root_cause_category="blame",
        )
    assert set(caught.value.message_dict) == {"held_at", "attendance", "root_cause", "root_cause_category"}
    assert not Review.objects.get(incident=incident).is_recorded


def test_review_cannot_be_recorded_while_the_incident_is_open() -> None:
    lead = make_user()
    with time_machine.travel(MONDAY_10AM, tick=False):
        incident = make_incident(lead, take_lead=True)
        with pytest.raises(ValidationError) as caught:
            record(lead, incident, MONDAY_10AM)
    assert "resolve it" in caught.value.messages[0]


def test_viewer_cannot_record_or_change_anything() -> None:
    incident, _ = resolved_incident(MONDAY_10AM)
    viewer = make_user("vic", "viewer")
    with time_machine.travel(MONDAY_10AM + timedelta(hours=1), tick=False):
        with pytest.raises(PermissionDenied):
            record(viewer, incident, MONDAY_10AM)
        with pytest.raises(PermissionDenied):
            services.update_report(viewer, incident, sections={"overview": "x"})
        with pytest.raises(PermissionDenied):
            services.add_action(viewer, incident, title="x", owner=viewer, due_in_business_days=1)


@time_machine.travel(MONDAY_10AM, tick=False)
def test_report_sections_and_public_version() -> None:
    lead = make_user()
    incident = make_incident(lead, take_lead=True)
    report = services.update_report(lead, incident, sections={"overview": " Card payments failed "})
    assert report.sections == {"overview": "Card payments failed"}
    with pytest.raises(ValidationError) as caught:
        services.update_report(lead, incident, sections={"gossip": "x"})
    assert "sections" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.update_report(lead, incident, publishable=True)
    assert "public_text" in caught.value.message_dict
    assert queries.public_report(incident) is None

    services.update_report(lead, incident, public_text="Some payments failed for 2 hours.", publishable=True)
    public = queries.public_report(incident)
    assert public is not None
    assert public.text == "Some payments failed for 2 hours."
    assert public.published_at == MONDAY_10AM


@time_machine.travel(MONDAY_10AM, tick=False)
def test_restricted_report_is_never_publishable() -> None:
    lead = make_user("sec", "security")
    incident = make_incident(lead, type="security_incident", take_lead=True)
    with pytest.raises(ValidationError) as caught:
        services.update_report(lead, incident, public_text="We were attacked", publishable=True)
    assert "publishable" in caught.value.message_dict
    assert queries.public_report(incident) is None


@time_machine.travel(MONDAY_10AM, tick=False)
def test_stale_report_edit_is_a_conflict() -> None:
    lead = make_user()
    incident = make_incident(lead, take_lead=True)
    version = Report.objects.get(incident=incident).version
    services.update_report(lead, incident, sections={"overview": "first"}, expected_version=version)
    with pytest.raises(services.Conflict):
        services.update_report(lead, incident, sections={"overview": "second"}, expected_version=version)


def test_team_template_replaces_the_gds_sections() -> None:
    admin = make_user("root", "admin")
    service = make_service()
    with pytest.raises(PermissionDenied):
        services.set_template(make_user(), service.team, [{"key": "what", "heading": "What"}])
    with pytest.raises(ValidationError):
        services.set_template(admin, service.team, [{"key": "a", "heading": "A"}, {"key": "a", "heading": "B"}])
    services.set_template(admin, service.team, [{"key": "what", "heading": "What went wrong", "guidance": "Briefly"}])
    with time_machine.travel(MONDAY_10AM, tick=False):
        incident = make_incident(service=service)
    assert [s.heading for s in services.template_sections(incident)] == ["What went wrong"]


def test_action_due_dates_count_business_days_and_overdue_list() -> None:
    friday_1630 = datetime(2026, 12, 4, 16, 30, tzinfo=UTC)
    lead = make_user("lead")
    owner = make_user("owner")
    with time_machine.travel(friday_1630, tick=False):
        incident = make_incident(lead, take_lead=True)
        action = services.add_action(
            lead, incident, title="Add an alert", owner=owner, due_in_business_days=2, link="https://x.test/1"
        )
    # One hour on Friday, a full Monday, then seven hours of Tuesday.
    assert action.due_at == datetime(2026, 12, 8, 16, 30, tzinfo=UTC)
    with time_machine.travel(datetime(2026, 12, 8, 16, 0, tzinfo=UTC), tick=False):
        assert list(queries.overdue_actions(lead)) == []
    with time_machine.travel(datetime(2026, 12, 8, 17, 0, tzinfo=UTC), tick=False):
        assert list(queries.overdue_actions(lead)) == [action]
        services.update_action(owner, action, status="done")
        assert list(queries.overdue_actions(lead)) == []


@time_machine.travel(MONDAY_10AM, tick=False)
def test_action_needs_one_person_a_sane_due_date_and_a_real_link() -> None:
    lead = make_user()
    incident = make_incident(lead, take_lead=True)
    with pytest.raises(ValidationError) as caught:
        services.add_action(lead, incident, title=" ", owner=None, due_in_business_days=0, link="javascript:alert(1)")
    assert set(caught.value.message_dict) == {"title", "owner", "due_in_business_days", "link"}
    action = services.add_action(lead, incident, title="Fix", owner=lead, due_in_business_days=1)
    with pytest.raises(ValidationError):
        services.update_action(lead, action, status="maybe")
    stranger = make_user("stranger", "viewer")
    with pytest.raises(PermissionDenied):
        services.update_action(stranger, action, status="done")

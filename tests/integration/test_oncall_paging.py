"""Paging through a policy against the local GOV.UK Notify and SMTP fakes: notify, escalate, acknowledge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from tests.factories import make_contact, make_incident, make_policy, make_schedule, make_user
from tests.fakes.worker import run_tasks, run_until
from watchkeeper.oncall import services as oncall
from watchkeeper.oncall.models import NotificationStatus, PageStatus

pytest_plugins = ["tests.fakes.fixtures"]
pytestmark = pytest.mark.django_db(transaction=True)

MONDAY = datetime(2026, 10, 19, 10, 0, tzinfo=UTC)


@pytest.fixture
def sms_template(settings) -> None:
    settings.ONCALL = {**settings.ONCALL, "NOTIFY_SMS_TEMPLATE_ID": "f33517ff-2a88-4f6e-b855-c550268ce08a"}


def test_a_page_texts_the_person_on_call_then_escalates_then_stops_at_the_acknowledgement(
    notify, smtp, sms_template
) -> None:
    with time_machine.travel(MONDAY, tick=False) as clock:
        alice, bob, carol = make_user("alice"), make_user("bob"), make_user("carol")
        make_contact(alice, "sms", "07700900001")
        make_contact(carol, "sms", "07700900003")
        schedule = make_schedule([alice, bob], slug="primary")
        policy = make_policy(
            [
                {"ack_timeout_minutes": 5, "targets": [{"schedule": "primary"}]},
                {"ack_timeout_minutes": 10, "targets": [{"user": "carol"}]},
            ],
            repeat=1,
        )
        page = oncall.trigger_page(summary="Payments failing", policy=policy, source="api")
        assert page.status == PageStatus.TRIGGERED and len(page.ack_code) == 4
        run_tasks()
        assert [m["phone_number"] for m in notify.sent] == ["07700900001"]
        assert f"ACK {page.ack_code}" in notify.sent[0]["personalisation"]["body"]

        run_until(clock, MONDAY + timedelta(minutes=5, seconds=1))
        assert [m["phone_number"] for m in notify.sent] == ["07700900001", "07700900003"]

        done = oncall.acknowledge_page(page, user=carol, via="api")
        assert done.status == PageStatus.ACKNOWLEDGED and done.acknowledged_by == carol
        run_until(clock, MONDAY + timedelta(hours=2))
        assert len(notify.sent) == 2, "nothing after the acknowledgement, though the policy repeats"
        again = oncall.acknowledge_page(page, user=alice, via="web")
        assert again.acknowledged_by == carol, "a second acknowledgement says who was first"
        kinds = list(page.events.values_list("kind", flat=True))
        assert kinds[:2] == ["triggered", "step"] and "escalated" in kinds and kinds.count("acknowledged") == 1
        assert schedule.slug == "primary"


def test_a_step_with_nobody_on_call_is_skipped_at_once_and_recorded(notify, smtp, sms_template) -> None:
    with time_machine.travel(MONDAY, tick=False):
        dave = make_user("dave")
        make_contact(dave, "sms", "07700900004")
        # The rota starts next year: nobody is on call now.
        make_schedule([make_user("erin")], slug="later", start="2027-01-04T09:00:00+00:00")
        policy = make_policy(
            [{"ack_timeout_minutes": 5, "targets": [{"schedule": "later"}]}, {"targets": [{"user": "dave"}]}]
        )
        page = oncall.trigger_page(summary="Disk full", policy=policy)
        run_tasks()
        assert [m["phone_number"] for m in notify.sent] == ["07700900004"]
        skipped = page.events.filter(kind="skipped").values_list("text", flat=True)
        assert any("Nobody is on call on Later" in text for text in skipped)
        assert any("Step 1 skipped" in text for text in skipped)
        page.refresh_from_db()
        assert page.step_index == 1


def test_named_people_with_no_contact_method_get_email_and_resolving_cancels_what_is_pending(smtp) -> None:
    with time_machine.travel(MONDAY, tick=False):
        frank = make_user("frank")
        gina = make_user("gina")
        make_contact(gina, "email", "gina@example.gov.uk", delay_minutes=10)
        incident = make_incident(priority="P3")
        page = oncall.trigger_page(summary="Look at this", users=[frank, gina], incident=incident, actor=frank)
        run_tasks()
        assert [m["To"] for m in smtp.inbox.messages] == ["frank@example.gov.uk"]
        oncall.resolve_page(page, actor=frank)
        run_tasks()
        assert page.notifications.get(user=gina).status == NotificationStatus.CANCELLED
        assert incident.timeline.filter(text__startswith="Paged frank, gina").exists()


def test_bad_trigger_input_names_the_field() -> None:
    with pytest.raises(ValidationError) as error:
        oncall.trigger_page(summary="  ")
    assert "summary" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        oncall.trigger_page(summary="x")
    assert "policy" in error.value.message_dict

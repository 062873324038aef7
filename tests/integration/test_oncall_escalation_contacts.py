"""A P1/P2's escalation contacts can be an on-call schedule: the notice goes to whoever is on call at that instant.

The schedule hands over weekly on Mondays at 09:00 London time, from Monday 19 October 2026: alice, then bob. The
clocks go back on Sunday 25 October, so the second handoff is at 09:00 GMT, an hour later in UTC than the first.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from tests.factories import make_contact, make_incident, make_policy, make_schedule, make_service, make_team, make_user
from tests.fakes.worker import run_tasks
from watchkeeper.incidents import services as incidents
from watchkeeper.notifications import services as notifications
from watchkeeper.notifications.models import Audience, Delivery

pytest_plugins = ["tests.fakes.fixtures"]
pytestmark = pytest.mark.django_db(transaction=True)

ALICE_WEEK = datetime(2026, 10, 20, 14, tzinfo=UTC)
JUST_BEFORE_HANDOFF = datetime(2026, 10, 26, 8, 59, tzinfo=UTC)  # 08:59 GMT, the first Monday after the change
JUST_AFTER_HANDOFF = datetime(2026, 10, 26, 9, 0, 1, tzinfo=UTC)
TEMPLATE = "f33517ff-2a88-4f6e-b855-c550268ce08a"


@pytest.fixture
def rota():
    root = make_user("root", "admin")
    alice, bob = make_user("alice"), make_user("bob")
    team = make_team("platform")
    make_schedule([alice, bob], slug="platform-managers", team=team)
    channel = notifications.create_channel(
        root, name="Managers on call", kind="oncall", target="platform-managers", template_id=TEMPLATE
    )
    notifications.install_gds_defaults(root, {Audience.ESCALATION: channel})
    return {"root": root, "alice": alice, "bob": bob, "service": make_service(team=team), "channel": channel}


def escalation_notices(incident) -> list[tuple[str, str]]:
    found = Delivery.objects.filter(incident=incident, audience=Audience.ESCALATION).order_by("id")
    return list(found.values_list("kind", "recipient"))


def test_a_p1_tells_whoever_is_on_call_at_that_instant_by_email(rota, smtp) -> None:
    with time_machine.travel(ALICE_WEEK, tick=False):
        incident = make_incident(make_user("reporter"), rota["service"], priority="P1", title="Everything down")
        assert escalation_notices(incident) == [("email", "alice@example.gov.uk")]
        run_tasks()
    delivered = Delivery.objects.get(incident=incident, audience=Audience.ESCALATION)
    assert (delivered.status, delivered.channel) == ("sent", rota["channel"])
    to_alice = [m for m in smtp.inbox.messages if m["To"] == "alice@example.gov.uk"]
    assert len(to_alice) == 1 and "Everything down" in to_alice[0]["Subject"]
    assert not [m for m in smtp.inbox.messages if m["To"] == "bob@example.gov.uk"]


def test_the_handoff_follows_local_wall_clock_time_across_the_clock_change(rota) -> None:
    with time_machine.travel(JUST_BEFORE_HANDOFF, tick=False):
        before = make_incident(make_user("reporter"), rota["service"], priority="P2")
    with time_machine.travel(JUST_AFTER_HANDOFF, tick=False):
        after = make_incident(make_user("reporter2"), rota["service"], priority="P2")
    assert escalation_notices(before) == [("email", "alice@example.gov.uk")]
    assert escalation_notices(after) == [("email", "bob@example.gov.uk")]


def test_the_person_on_call_hears_by_their_own_immediate_contact_methods(rota) -> None:
    make_contact(rota["bob"], "sms", "07700900123")
    make_contact(rota["bob"], "slack", "U2")
    make_contact(rota["bob"], "voice", "07700900124")  # a call is for pages, not notices
    make_contact(rota["bob"], "email", "bob.later@example.gov.uk", delay_minutes=10)
    make_contact(rota["bob"], "email", "bob.old@example.gov.uk", working=False)
    with time_machine.travel(JUST_AFTER_HANDOFF, tick=False):
        incident = make_incident(make_user("reporter"), rota["service"], priority="P1")
    assert escalation_notices(incident) == [("notify_sms", "07700900123"), ("slack", "U2")]


def test_a_p3_and_a_lowered_priority_tell_nobody_on_the_rota(rota) -> None:
    with time_machine.travel(ALICE_WEEK, tick=False):
        lead = make_user("lead")
        quiet = make_incident(lead, rota["service"], priority="P3")
        assert escalation_notices(quiet) == []
        incidents.change_priority(lead, quiet, "P2", "Getting worse")
        assert escalation_notices(quiet) == [("email", "alice@example.gov.uk")], "raised to P2: now it does"


def test_a_gap_in_the_rota_fails_visibly_and_the_comms_lead_hears(rota, smtp) -> None:
    before_the_rota = datetime(2026, 10, 1, 12, tzinfo=UTC)
    with time_machine.travel(before_the_rota, tick=False):
        comms = make_user("comms")
        incident = make_incident(comms, rota["service"], priority="P1")
        incidents.assign_role(comms, incident, "comms_lead", comms)
        assert escalation_notices(incident) == [("oncall", "platform-managers (nobody on call)")]
        run_tasks()
    failed = Delivery.objects.get(incident=incident, audience=Audience.ESCALATION)
    assert failed.status == "failed" and "nobody on call" in failed.last_error
    assert incident.timeline.filter(text__contains="Could not send to Managers on call").exists()
    assert [m for m in smtp.inbox.messages if m["To"] == "comms@example.gov.uk" and "could not" in str(m).lower()]


def test_an_on_call_channel_must_name_a_schedule_and_is_not_a_page_target(rota) -> None:
    with pytest.raises(ValidationError) as error:
        notifications.create_channel(rota["root"], name="Typo", kind="oncall", target="platform-manegers")
    assert "no on-call schedule" in str(error.value.message_dict["target"])
    with pytest.raises(ValidationError) as error:
        make_policy([{"ack_timeout_minutes": 5, "targets": [{"channel": rota["channel"].pk}]}])
    assert "platform-managers" in str(error.value)

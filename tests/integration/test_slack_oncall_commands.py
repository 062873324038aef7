"""`/incident oncall` and `/incident page` through `/slack/events`, signed as Slack signs, with the clock frozen.

The schedule hands over weekly on Mondays at 09:00 London time from Monday 19 October 2026: alice, then bob.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine

from tests.factories import make_incident, make_policy, make_schedule, make_service, make_team, make_user
from tests.fakes.slack_web import FakeSlackWeb, configure
from tests.integration.test_slack_commands import command
from watchkeeper.oncall import services as oncall
from watchkeeper.oncall.models import Page, PageNotification, PageStatus
from watchkeeper.slackapp.models import IncidentChannel

pytestmark = pytest.mark.django_db

ALICE_WEEK = datetime(2026, 10, 20, 14, tzinfo=UTC)
BOB_WEEK = datetime(2026, 10, 27, 14, tzinfo=UTC)


@pytest.fixture
def slack(settings: Any) -> Iterator[FakeSlackWeb]:
    fake = configure(settings)
    yield fake
    fake.close()


@pytest.fixture
def rota(slack: FakeSlackWeb) -> dict[str, Any]:
    alice, bob = make_user("alice"), make_user("bob")
    make_user("victor", "viewer")
    team = make_team("platform")
    make_schedule([alice, bob], slug="platform-primary", team=team)
    make_policy([{"ack_timeout_minutes": 5, "targets": [{"schedule": "platform-primary"}]}], slug="platform", team=team)
    return {"alice": alice, "bob": bob, "team": team}


def test_oncall_says_who_is_on_call_now_until_when_and_why(rota: dict[str, Any]) -> None:
    with time_machine.travel(ALICE_WEEK, tick=False):
        reply = command("oncall")
    assert reply["response_type"] == "ephemeral"
    assert (
        "*Platform-Primary* `platform-primary`: alice until Mon 26 Oct 2026, 09:00 GMT (layer Primary)"
        in (reply["text"])
    )
    with time_machine.travel(BOB_WEEK, tick=False):
        assert "platform-primary`: bob until Mon 2 Nov 2026, 09:00 GMT" in command("oncall platform-primary")["text"]


def test_oncall_at_a_given_time_and_overrides_and_gaps(rota: dict[str, Any]) -> None:
    # Its one rotation starts in the new year: until then only overrides cover it.
    schedule = make_schedule([rota["bob"]], slug="empty", team=rota["team"], start="2027-01-04T09:00:00+00:00")
    with time_machine.travel(ALICE_WEEK, tick=False):
        oncall.add_override(
            rota["alice"],
            schedule,
            user="alice",
            start="2026-10-20T13:00:00+00:00",
            end="2026-10-20T15:00:00+00:00",
            reason="cover",
        )
        reply = command("oncall empty")["text"]
        assert "alice until Tue 20 Oct 2026, 16:00 BST (override)" in reply
        later = command("oncall empty 2026-10-20T16:00:00+00:00")["text"]
    assert "Who is on call at Tue 20 Oct 2026, 17:00 BST" in later
    assert "*nobody* (a gap in the rota)" in later
    assert "No schedule called 'nope'" in command("oncall nope")["text"]
    assert "has no UTC offset" in command("oncall empty 2026-10-20T16:00:00")["text"]


def test_page_a_policy_reaches_whoever_is_on_call(rota: dict[str, Any]) -> None:
    with time_machine.travel(BOB_WEEK, tick=False):
        reply = command("page platform Disk full on db-1", user="U1")
    page = Page.objects.get()
    assert (page.summary, page.policy.slug, page.source, page.created_by) == (
        "Disk full on db-1",
        "platform",
        "slack",
        rota["alice"],
    )
    assert page.incident is None and page.status == PageStatus.TRIGGERED
    assert f"page {page.pk}" in reply["text"] and reply["response_type"] == "ephemeral"
    assert list(PageNotification.objects.filter(page=page).values_list("user__username", flat=True)) == ["bob"]


def test_page_a_person_in_an_incident_channel_pages_for_that_incident(rota: dict[str, Any]) -> None:
    incident = make_incident(rota["alice"], make_service(team=rota["team"]), priority="P3", title="Search slow")
    IncidentChannel.objects.create(incident=incident, channel_id="CINC", name="inc")
    reply = command("page <@U2|bob>", channel="CINC")
    page = Page.objects.get(incident=incident, source="slack")
    assert page.summary == f"{incident.reference} (P3): Search slow"
    assert list(page.users.all()) == [rota["bob"]]
    assert reply["response_type"] == "in_channel" and "paged bob for" in reply["text"]
    # Whoever acknowledges it becomes the lead, as for any page of an incident.
    oncall.acknowledge_page(page, user=rota["bob"], via="slack")
    incident.refresh_from_db()
    assert incident.incident_lead == rota["bob"]


def test_bad_pages_say_what_to_type_and_page_nobody(rota: dict[str, Any]) -> None:
    assert "Page whom?" in command("page")["text"]
    assert "No escalation policy called 'database'" in command("page database is down")["text"]
    assert "Say what is wrong" in command("page platform")["text"]
    assert "Only responders can page" in command("page platform Disk full", user="UVIEW")["text"]
    assert "no Watchkeeper account" in command("page <@USTRANGER> Disk full")["text"]
    assert Page.objects.count() == 0


def test_help_lists_the_on_call_subcommands(rota: dict[str, Any]) -> None:
    text = command("help")["text"]
    assert "/incident oncall [schedule]" in text and "/incident page <policy|@person>" in text

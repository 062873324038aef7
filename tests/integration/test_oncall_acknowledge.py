"""Every way to acknowledge: SMS reply through Notify's inbound callback, the signed email link, the Slack button.

And P1/P2 incidents page their service's policy by themselves; acknowledging makes the acknowledger the lead.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client

from tests.factories import make_contact, make_incident, make_policy, make_schedule, make_service, make_team, make_user
from tests.fakes.slack_web import FakeSlackWeb
from tests.fakes.worker import run_tasks
from tests.integration.test_slack_interactions import click
from watchkeeper.incidents import services as incidents
from watchkeeper.oncall import services as oncall
from watchkeeper.oncall.models import Page, PageStatus

pytest_plugins = ["tests.fakes.fixtures"]
pytestmark = pytest.mark.django_db(transaction=True)
TUESDAY_NIGHT = datetime(2026, 11, 3, 23, tzinfo=UTC)
TUESDAY_NOON = datetime(2026, 11, 3, 12, tzinfo=UTC)
INBOUND = "inbound-callback-token"


@pytest.fixture
def oncall_settings(settings: Any) -> None:
    settings.ONCALL = {
        **settings.ONCALL,
        "NOTIFY_SMS_TEMPLATE_ID": "f33517ff-2a88-4f6e-b855-c550268ce08a",
        "NOTIFY_INBOUND_TOKEN": INBOUND,
    }


def inbound(text: str, number: str, token: str = INBOUND) -> Any:
    body = {
        "id": "a",
        "source_number": number,
        "destination_number": "07700900000",
        "message": text,
        "date_received": "2026-11-03T23:01:00.000000Z",
    }
    return Client().post("/oncall/notify/inbound-sms", body, "application/json", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_an_sms_reply_acknowledges_and_a_wrong_code_gets_a_reply_saying_so(notify, oncall_settings) -> None:
    with time_machine.travel(TUESDAY_NIGHT, tick=False):
        alice = make_user("alice")
        make_contact(alice, "sms", "07700 900001")
        page = oncall.trigger_page(summary="Payments down", users=[alice])
        run_tasks()
        assert f"ACK {page.ack_code}" in notify.sent[0]["personalisation"]["body"]
        assert inbound(f"ACK {page.ack_code}", "447700900001", token="wrong").status_code == 401
        wrong = "0000" if page.ack_code != "0000" else "1111"
        assert inbound(f"ack {wrong}", "447700900001").status_code == 204
        run_tasks()
        assert "wrong or has expired" in notify.sent[-1]["personalisation"]["body"]
        assert notify.sent[-1]["phone_number"] == "447700900001"
        assert Page.objects.get(pk=page.pk).status == PageStatus.TRIGGERED

        assert inbound(f"Ack {page.ack_code} on it", "447700900001").status_code == 204
        run_tasks()
        page.refresh_from_db()
        assert (
            page.status == PageStatus.ACKNOWLEDGED and page.acknowledged_via == "sms" and page.acknowledged_by == alice
        )
        assert notify.sent[-1]["personalisation"]["body"].startswith("Acknowledged: Payments down")
        inbound(f"ACK {page.ack_code}", "447700900001")
        run_tasks()
        assert "alice already acknowledged" in notify.sent[-1]["personalisation"]["body"]


def test_the_signed_link_in_the_email_acknowledges_and_a_tampered_one_does_not(smtp) -> None:
    with time_machine.travel(TUESDAY_NIGHT, tick=False):
        bob = make_user("bob")
        page = oncall.trigger_page(summary="Disk full", users=[bob])
        run_tasks()
        [message] = smtp.inbox.messages
        text = message.get_payload(0).get_payload(decode=True).decode()
        link = re.search(r"http://127.0.0.1:8000(/oncall/ack/\S+/)", text).group(1)
        browser = Client()
        assert browser.get(link[:-3] + "xx/").status_code == 404
        shown = browser.get(link)
        assert shown.status_code == 200 and b"Acknowledge as bob" in shown.content
        assert Page.objects.get(pk=page.pk).status == PageStatus.TRIGGERED, "opening the link is not acknowledging"
        done = browser.post(link)
        assert done.status_code == 200 and b"acknowledged by bob" in done.content
        assert Page.objects.get(pk=page.pk).acknowledged_via == "email"


def test_the_slack_direct_message_has_an_acknowledge_button_that_works(slack: FakeSlackWeb) -> None:
    alice = make_user("alice")
    make_contact(alice, "slack", "U1")
    page = oncall.trigger_page(summary="Queue backing up", users=[alice])
    run_tasks()
    [message] = slack.messages
    assert message["channel"] == "U1"
    button = [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"] if e.get("action_id")]
    assert button[0]["action_id"] == "page_acknowledge" and button[0]["value"] == str(page.pk)
    click("page_acknowledge", str(page.pk), user="U1")
    page.refresh_from_db()
    assert page.status == PageStatus.ACKNOWLEDGED and page.acknowledged_via == "slack"


def test_a_p1_pages_the_team_policy_at_once_and_acknowledging_makes_the_lead(smtp) -> None:
    with time_machine.travel(TUESDAY_NIGHT, tick=False):
        team = make_team("platform")
        carol = make_user("carol")
        make_schedule([carol], slug="platform-primary", team=team, start="2026-11-02T09:00:00+00:00")
        make_policy(
            [{"ack_timeout_minutes": 5, "targets": [{"schedule": "platform-primary"}]}], slug="platform", team=team
        )
        service = make_service(team=team)
        reporter = make_user("reporter")
        quiet = make_incident(reporter, service, priority="P3", title="Slow search")
        assert not Page.objects.filter(incident=quiet).exists(), "a P3 out of hours pages nobody"
        incident = make_incident(reporter, service, priority="P1", title="Everything down")
        page = Page.objects.get(incident=incident)
        assert page.policy.slug == "platform" and page.source == "incident"
        run_tasks()
        assert [m["To"] for m in smtp.inbox.messages][-1] == "carol@example.gov.uk"
        incidents.change_priority(reporter, quiet, "P2", "It is getting worse")
        assert Page.objects.filter(incident=quiet).count() == 1, "raising a priority to P2 pages"
        oncall.acknowledge_page(page, user=carol, via="web")
        incident.refresh_from_db()
        assert incident.incident_lead == carol and incident.response_met_at is not None


def test_a_p3_in_office_hours_pages(smtp) -> None:
    with time_machine.travel(TUESDAY_NOON, tick=False):
        team = make_team("forms")
        make_policy([{"targets": [{"user": make_user("dan").username}]}], slug="forms", team=team)
        incident = make_incident(make_user(), make_service(team=team), priority="P3")
        assert Page.objects.filter(incident=incident).count() == 1

"""Incident channels: made by tasks after declaration, kept current, archived at the end, through a fake Slack."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.factories import make_incident, make_service, make_user
from tests.fakes.http import Failure
from tests.fakes.slack_web import FakeSlackWeb, configure
from tests.fakes.worker import run_tasks
from watchkeeper.incidents import services
from watchkeeper.slackapp import tasks
from watchkeeper.slackapp.channels import channel_name
from watchkeeper.slackapp.models import ChannelPolicy, IncidentChannel

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def slack(settings: Any) -> Iterator[FakeSlackWeb]:
    fake = configure(settings)
    yield fake
    fake.close()


@pytest.fixture
def alice(slack: FakeSlackWeb) -> Any:
    return make_user("alice")


def payments(invite: str = "") -> Any:
    service = make_service("payments", name="Payments")
    ChannelPolicy.objects.create(service=service, invite=invite)
    return service


def test_a_declared_incident_gets_its_channel(alice: Any, slack: FakeSlackWeb) -> None:
    incident = make_incident(alice, service=payments(invite="UONCALL"), title="Payments failing!", priority="P2")
    run_tasks()
    record = IncidentChannel.objects.get(incident=incident)
    channel = slack.channels[record.channel_id]
    assert channel.name == f"{incident.reference.lower()}-payments-failing"
    assert not channel.is_private
    assert {"U1", "UONCALL"} <= channel.members
    assert channel.topic.startswith("P2 · investigating · Lead: nobody yet")
    assert channel.pins == [record.summary_ts]
    assert [b["title"] for b in channel.bookmarks] == ["Incident page", "Incident report"]
    assert channel.bookmarks[0]["link"].endswith(f"/incidents/{incident.reference}/")

    bob = make_user("bob")
    services.assign_role(alice, incident, "incident_lead", bob)
    run_tasks()
    assert "U2" in channel.members
    assert "Lead: bob" in channel.topic
    assert slack.updates[-1]["ts"] == record.summary_ts

    tasks.archive_channel.call(incident.pk)
    record.refresh_from_db()
    assert channel.archived and record.archived


def test_restricted_incidents_get_private_channels(alice: Any, slack: FakeSlackWeb) -> None:
    incident = make_incident(alice, service=payments(), type="personal_data_breach", title="Data exposed")
    run_tasks()
    channel = slack.channels[IncidentChannel.objects.get(incident=incident).channel_id]
    assert channel.is_private


def test_services_without_a_policy_get_no_channel(alice: Any, slack: FakeSlackWeb) -> None:
    make_incident(alice, service=make_service("other"))
    run_tasks()
    assert not IncidentChannel.objects.exists()
    assert not slack.called("conversations.create")


def test_a_taken_name_gets_a_number(alice: Any, slack: FakeSlackWeb) -> None:
    service = payments()
    incident = make_incident(alice, service=service, title="Payments failing")
    slack.add_channel("CTAKEN", channel_name(incident))
    run_tasks()
    assert IncidentChannel.objects.get(incident=incident).name == channel_name(incident) + "-2"


def test_slack_rate_limits_are_waited_out(alice: Any, slack: FakeSlackWeb) -> None:
    slack.fail_next(Failure(status=429, headers={"Retry-After": "1"}, body=b'{"ok": false, "error": "ratelimited"}'))
    incident = make_incident(alice, service=payments())
    run_tasks()
    assert IncidentChannel.objects.filter(incident=incident).exists()
    assert len(slack.called("conversations.create")) == 1


def test_channel_names_follow_slacks_rules(alice: Any, slack: FakeSlackWeb) -> None:
    incident = make_incident(alice, title="Ünïcode & SHOUTING " + "x" * 100)
    name = channel_name(incident)
    assert len(name) <= 80 and name == name.lower() and " " not in name
    assert name.startswith(incident.reference.lower() + "-unicode-shouting-")

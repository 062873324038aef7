"""Incident channels: made by tasks after declaration, kept current, archived at the end, through a fake Slack."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import make_incident, make_service, make_user
from tests.fakes.http import Failure
from tests.fakes.slack_web import FakeSlackWeb
from tests.fakes.worker import run_tasks
from watchkeeper.incidents import services
from watchkeeper.slackapp import tasks
from watchkeeper.slackapp.models import ChannelPolicy, IncidentChannel
from watchkeeper.slackapp.services.channels import channel_name

pytestmark = pytest.mark.django_db(transaction=True)


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


def test_a_public_channel_is_replaced_by_a_private_one_when_the_incident_becomes_restricted(
    alice: Any, slack: FakeSlackWeb
) -> None:
    incident = make_incident(alice, service=payments(invite="UONCALL"), title="Odd logins on payments")
    bob = make_user("bob")
    services.assign_role(alice, incident, "incident_lead", bob)
    run_tasks()
    old = IncidentChannel.objects.get(incident=incident).channel_id
    public = slack.channels[old]
    assert not public.is_private

    services.change_type(alice, incident, "security_incident", "Credential stuffing")
    run_tasks()

    record = IncidentChannel.objects.get(incident=incident)
    assert record.channel_id != old and not record.archived
    private = slack.channels[record.channel_id]
    assert private.is_private and not private.archived
    assert {"U1", "U2", "UONCALL"} <= private.members
    assert private.pins == [record.summary_ts]
    assert "Odd logins" in private.topic

    # The public channel says only that the discussion moved, and keeps the title nowhere it can be helped.
    assert public.archived
    summary, note = [m for m in slack.messages if m["channel"] == old]
    assert summary["ts"] != record.summary_ts
    assert note["text"] == "This incident is now restricted; discussion has moved to a private channel."
    assert "blocks" not in note
    assert "odd" not in public.name and "Odd" not in public.topic
    scrubbed = [u for u in slack.updates if u["channel"] == old][-1]
    assert scrubbed["blocks"] == [] and "Odd" not in str(scrubbed)

    # Run again (a retried task): the private channel is only kept current.
    tasks.restrict_channel.call(incident.pk)
    assert len(slack.called("conversations.create")) == 2
    assert IncidentChannel.objects.get(incident=incident).channel_id == record.channel_id


def test_a_channel_already_private_stays(alice: Any, slack: FakeSlackWeb) -> None:
    incident = make_incident(alice, service=payments(), type="security_incident", title="Data exposed")
    run_tasks()
    record = IncidentChannel.objects.get(incident=incident)
    services.change_type(alice, incident, "personal_data_breach", "Personal data involved")
    run_tasks()
    assert len(slack.called("conversations.create")) == 1
    assert IncidentChannel.objects.get(incident=incident).channel_id == record.channel_id
    assert not slack.channels[record.channel_id].archived
    assert not slack.called("conversations.archive")


def test_a_type_change_that_stays_unrestricted_keeps_the_channel(alice: Any, slack: FakeSlackWeb) -> None:
    incident = make_incident(alice, service=payments())
    run_tasks()
    services.change_type(alice, incident, "denial_of_service", "Flooded with requests")
    run_tasks()
    assert len(slack.called("conversations.create")) == 1
    assert not slack.called("conversations.info")

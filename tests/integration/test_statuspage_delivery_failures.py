"""Only a receiver's answer fails a status page delivery; our own bugs are loud and keep the delivery."""

from __future__ import annotations

import logging
import signal
import threading
from datetime import timedelta
from types import FrameType
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from tests.fakes.smtp import SmtpServer
from tests.integration.test_statuspage_publish import publish, world  # noqa: F401
from watchkeeper.statuspage import sending
from watchkeeper.statuspage.models import PublicUpdate, Subscriber, SubscriberMessage

pytest_plugins = ["tests.fakes.fixtures"]
pytestmark = pytest.mark.django_db


def _planned(world: dict[str, Any], count: int) -> list[int]:  # noqa: F811
    now = timezone.now()
    Subscriber.objects.bulk_create(
        [Subscriber(email=f"s{i}@example.com", created_at=now, confirmed_at=now) for i in range(count)]
    )
    update = publish(world, notify=False).updates.get()
    [batch] = sending.plan(update.pk, "update")
    return batch


def test_a_mail_server_saying_later_keeps_the_delivery_for_a_retry(
    world: dict[str, Any],  # noqa: F811
    smtp: SmtpServer,
) -> None:
    [delivery_id] = _planned(world, 1)
    smtp.inbox.refuse_next = 1
    assert sending.send_batch([delivery_id]) == 0
    row = SubscriberMessage.objects.get(pk=delivery_id)
    assert (row.state, row.claimed_at) == (SubscriberMessage.State.PENDING, None)
    assert "451" in row.error
    assert sending.send_batch([delivery_id]) == 1
    assert len(smtp.inbox.messages) == 1


def test_a_mail_server_refusing_for_good_fails_the_delivery(
    world: dict[str, Any],  # noqa: F811
    smtp: SmtpServer,
) -> None:
    [delivery_id] = _planned(world, 1)
    smtp.inbox.refuse_next = 1
    smtp.inbox.refusal = "550 5.1.1 no such mailbox"
    assert sending.send_batch([delivery_id]) == 0
    row = SubscriberMessage.objects.get(pk=delivery_id)
    assert row.state == SubscriberMessage.State.FAILED
    assert "550" in row.error
    assert sending.send_batch([delivery_id]) == 0
    assert smtp.inbox.messages == []


def test_a_bug_is_logged_with_its_traceback_and_never_written_off_as_a_failure(
    world: dict[str, Any],  # noqa: F811
    smtp: SmtpServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    batch = _planned(world, 3)
    # A row our code cannot render (a status no label exists for) stands in for any bug in the send path.
    PublicUpdate.objects.update(status="garbled")
    with (
        caplog.at_level(logging.ERROR, logger="watchkeeper.statuspage.sending"),
        pytest.raises(sending.DeliveryBug, match="3 status page deliveries hit a bug"),
    ):
        sending.send_batch(batch)
    ours = [record for record in caplog.records if record.name == "watchkeeper.statuspage.sending"]
    assert [record.exc_info is not None for record in ours] == [True, True, True]
    rows = SubscriberMessage.objects.filter(pk__in=batch)
    assert {row.state for row in rows} == {SubscriberMessage.State.PENDING}
    assert all("internal error (KeyError)" in row.error for row in rows)
    assert smtp.inbox.messages == []


def test_a_bug_that_persists_ends_as_a_failure_the_comms_lead_can_see(
    world: dict[str, Any],  # noqa: F811
    smtp: SmtpServer,
) -> None:
    [delivery_id] = _planned(world, 1)
    PublicUpdate.objects.update(status="garbled")
    for _ in range(sending.MAX_ATTEMPTS):
        with pytest.raises(sending.DeliveryBug):
            sending.send_batch([delivery_id])
    row = SubscriberMessage.objects.get(pk=delivery_id)
    assert (row.state, row.attempts) == (SubscriberMessage.State.FAILED, sending.MAX_ATTEMPTS)
    assert "internal error" in row.error


class Stopped(BaseException):
    """What the worker raises into a task it hands back on a stop (its Release), from a signal handler."""


def test_a_batch_stopped_mid_send_hands_back_the_claims_it_never_tried(
    world: dict[str, Any],  # noqa: F811
    smtp: SmtpServer,
) -> None:
    batch = _planned(world, 10)
    assert len(batch) < sending.CLAIM_AHEAD  # so all ten are claimed before the first is sent

    def stop(signum: int, frame: FrameType | None) -> None:
        raise Stopped

    main = threading.main_thread().ident
    assert main is not None
    previous = signal.signal(signal.SIGUSR1, stop)
    # The third message is kept by the server, and the stop lands before this side hears that it was.
    smtp.inbox.after_accepting = lambda count: count == 3 and signal.pthread_kill(main, signal.SIGUSR1)
    try:
        with pytest.raises(Stopped):
            sending.send_batch(batch)
    finally:
        signal.signal(signal.SIGUSR1, previous)
    rows = {row.pk: (row.state, row.attempts) for row in SubscriberMessage.objects.filter(pk__in=batch)}
    sent, in_flight, untried = ("sent", 1), ("sending", 1), ("pending", 0)
    assert [rows[pk] for pk in batch] == [sent, sent, in_flight] + [untried] * 7
    smtp.inbox.after_accepting = None
    assert sending.send_batch(batch) == 7
    # The one in flight is the only one that can go twice: after stale(), with the same Message-ID.
    with time_machine.travel(timezone.now() + sending.stale() + timedelta(seconds=1)):
        assert sending.release_stale(SubscriberMessage.objects.get(pk=batch[0]).update_id, "update") == 1
        assert sending.send_batch(batch) == 1
    ids = [message["Message-ID"] for message in smtp.inbox.messages]
    assert len(ids) == 11
    assert len(set(ids)) == 10

"""Outgoing HTTP keeps its connections open between sends, and a connection the receiver closed costs no send."""

from __future__ import annotations

import pytest

from tests.fakes.http import Failure, FakeServer
from watchkeeper.notifications.channels import Transient
from watchkeeper.notifications.channels.http import post_json


@pytest.fixture
def receiver():
    fake = FakeServer()
    yield fake
    fake.close()


def _post(receiver: FakeServer, number: int, timeout: float = 5.0) -> str:
    return post_json(f"{receiver.url}/hook", {"number": number}, timeout, allow_private=True)


def test_many_sends_to_one_receiver_share_one_connection(receiver) -> None:
    for number in range(10):
        _post(receiver, number)
    assert [request.json()["number"] for request in receiver.requests] == list(range(10))
    assert receiver.connections == 1


def test_a_connection_the_receiver_closed_is_replaced_without_losing_the_send(receiver) -> None:
    _post(receiver, 1)
    receiver.drop_connections()  # as a receiver does with an idle connection after its keep-alive timeout
    _post(receiver, 2)
    assert [request.json()["number"] for request in receiver.requests] == [1, 2]
    assert receiver.connections == 2


def test_a_connection_that_timed_out_is_not_used_again(receiver) -> None:
    _post(receiver, 1)
    receiver.fail_next(Failure(status=200, delay=0.5))
    with pytest.raises(Transient, match="timed out"):
        _post(receiver, 2, timeout=0.1)
    # The late answer to the send that timed out must not be read as the answer to the next one.
    receiver.fail_next(Failure(status=500, body=b'{"error": "must not be read"}'))
    with pytest.raises(Transient, match="500"):
        _post(receiver, 3)
    _post(receiver, 4)
    assert [request.json()["number"] for request in receiver.requests] == [1, 4]
    assert receiver.connections == 2

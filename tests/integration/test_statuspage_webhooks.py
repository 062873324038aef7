"""Webhook subscribers: a real receiver on 127.0.0.1, Standard Webhooks signatures, Statuspage's payload."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client

from tests.integration.test_statuspage_publish import publish, run_tasks, snapshot_dir, world  # noqa: F401
from watchkeeper.notifications.channels.webhook import sign
from watchkeeper.notifications.sealing import reveal
from watchkeeper.statuspage import sending
from watchkeeper.statuspage.models import Subscriber, SubscriberMessage
from watchkeeper.statuspage.services import subscribers

pytestmark = pytest.mark.django_db


class Receiver:
    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.fail_next = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if receiver.fail_next:
                    receiver.fail_next -= 1
                    self.send_response(503)
                else:
                    receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    settings.STATUSPAGE_WEBHOOK_ALLOW_PRIVATE = True
    found = Receiver()
    yield found
    found.server.shutdown()


def confirmed_webhook(client: Client, receiver: Receiver) -> Subscriber:
    response = client.post(
        "/status/subscribe/webhook", {"endpoint": receiver.url, "email": "dev@example.com", "scope": "all"}
    )
    assert b"Check your email" in response.content
    run_tasks()
    link = re.search(r"http\S+/status/subscribe/confirm/\S+", mail.outbox[-1].body)
    assert link and receiver.url in mail.outbox[-1].body
    manage = client.post("/status/" + link.group(0).split("/status/", 1)[1])
    assert manage.status_code == 302
    subscriber = Subscriber.objects.get(medium="webhook")
    page = client.get(manage["Location"]).content.decode()
    assert reveal(subscriber.secret) in page
    return subscriber


def test_a_webhook_gets_each_update_once_signed_with_statuspage_shapes(
    world: dict[str, Any],  # noqa: F811
    receiver: Receiver,
    client: Client,
) -> None:
    subscriber = confirmed_webhook(client, receiver)
    public = publish(world)
    run_tasks()
    [(headers, body)] = receiver.requests
    expected = sign(reveal(subscriber.secret), headers["webhook-id"], int(headers["webhook-timestamp"]), body)
    assert headers["webhook-signature"] == expected
    payload = json.loads(body)
    assert set(payload) == {"meta", "page", "incident"}
    assert payload["page"]["status_indicator"] == "critical"
    assert payload["incident"]["name"] == "Payments are failing"
    assert payload["incident"]["id"] == str(public.pk)
    assert "/status/unsubscribe/" in payload["meta"]["unsubscribe"]
    # Planning and sending again delivers nothing more.
    update = public.updates.get()
    for batch in sending.plan(update.pk, "update"):
        sending.send_batch(batch)
    assert len(receiver.requests) == 1


def test_a_failing_receiver_is_retried_and_then_succeeds(
    world: dict[str, Any],  # noqa: F811
    receiver: Receiver,
    client: Client,
) -> None:
    confirmed_webhook(client, receiver)
    receiver.fail_next = 1
    update = publish(world, notify=False).updates.get()
    [batch] = sending.plan(update.pk, "update")
    assert sending.send_batch(batch) == 0
    row = SubscriberMessage.objects.get()
    assert (row.state, row.attempts) == ("pending", 1)
    assert "503" in row.error
    assert sending.send_batch(sending.plan(update.pk, "update")[0]) == 1
    assert len(receiver.requests) == 1


def test_webhooks_to_private_addresses_are_refused(settings: Any, client: Client) -> None:
    settings.STATUSPAGE_WEBHOOK_ALLOW_PRIVATE = False
    for url in ("http://example.com/hook", "https://127.0.0.1/hook", "https://10.0.0.8/hook", "https://localhost/x"):
        with pytest.raises(ValidationError) as error:
            subscribers.check_webhook_endpoint(url)
        assert "endpoint" in error.value.message_dict
    response = client.post(
        "/status/subscribe/webhook",
        {"endpoint": "https://169.254.169.254/latest", "email": "a@example.com", "scope": "all"},
    )
    assert b"Enter a webhook address on the public internet" in response.content
    assert not Subscriber.objects.exists()


def test_erasing_an_address_removes_its_webhooks(world: dict[str, Any], receiver: Receiver, client: Client) -> None:  # noqa: F811
    confirmed_webhook(client, receiver)
    assert subscribers.erase("dev@example.com")
    assert not Subscriber.objects.exists()

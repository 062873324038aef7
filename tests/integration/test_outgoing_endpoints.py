"""Outgoing webhooks go only where they were checked to go: no redirects, no second DNS answer, no private hosts."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from tests.factories import make_user
from tests.fakes.http import FakeServer, Reply, Request
from tests.fakes.tls import TlsReceiver
from tests.fakes.webhooks import WEBHOOK_SECRET, WebhookReceiver
from watchkeeper.notifications import services as notifications
from watchkeeper.notifications.channels import Outgoing, Permanent, Transient
from watchkeeper.notifications.channels.endpoints import Endpoint, Refused, resolve
from watchkeeper.notifications.channels.http import post_to
from watchkeeper.notifications.channels.webhook import WebhookTransport

pytest_plugins = ["tests.fakes.fixtures"]


class Redirector(FakeServer):
    def __init__(self, to: str) -> None:
        self.to = to
        super().__init__()

    def reply(self, request: Request) -> Reply:
        # 307 keeps the method and body: a client that follows it posts the whole message to the new place.
        return 307, {"Location": self.to}, b""


def message(url: str) -> Outgoing:
    return Outgoing(
        key="msg-1", event="incident.declared", kind="webhook", recipient=url, payload={"x": 1}, secret=WEBHOOK_SECRET
    )


def test_a_redirect_is_not_followed(receiver: WebhookReceiver) -> None:
    redirector = Redirector(f"{receiver.url}/internal")
    try:
        with pytest.raises(Permanent, match="redirects are not followed"):
            WebhookTransport(allow_private=True).send(message(f"{redirector.url}/hook"))
    finally:
        redirector.close()
    assert receiver.requests == []


def test_the_connection_goes_to_the_checked_address_with_the_name_in_the_host_header() -> None:
    server = FakeServer()
    try:
        port = int(server.server.server_address[1])
        # The name does not resolve at all: the only way to reach the server is the pinned address.
        post_to(Endpoint("http", "rebind.invalid", port, "/hook?a=1", "127.0.0.1"), b"{}", 5, {})
    finally:
        server.close()
    [request] = server.requests
    assert request.path == "/hook?a=1"
    assert request.headers["host"] == f"rebind.invalid:{port}"


def test_tls_to_a_pinned_address_still_checks_the_certificate_against_the_name(settings: Any) -> None:
    tls = TlsReceiver("hooks.example.test")
    settings.WATCHKEEPER_CA_BUNDLE = str(tls.ca_bundle)
    try:
        post_to(Endpoint("https", "hooks.example.test", tls.port, "/", "127.0.0.1"), b"{}", 5, {})
        assert tls.seen == [(f"hooks.example.test:{tls.port}", "hooks.example.test")]
        with pytest.raises(Transient, match="TLS failed"):
            post_to(Endpoint("https", "other.example.test", tls.port, "/", "127.0.0.1"), b"{}", 5, {})
    finally:
        tls.close()
    assert len(tls.seen) == 1


@pytest.mark.parametrize(
    "url",
    ["https://169.254.169.254/latest", "https://10.0.0.1/", "http://localhost:5432/", "https://[::1]/", "ftp://x.y/"],
)
def test_internal_targets_are_refused_unless_allowed(settings: Any, url: str) -> None:
    settings.WATCHKEEPER_ALLOW_PRIVATE_ENDPOINTS = False
    with pytest.raises(Refused):
        resolve(url, allow_private=False)
    with pytest.raises(Permanent):
        WebhookTransport().send(message(url))


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["webhook", "slack_webhook", "teams"])
def test_channels_get_the_status_page_endpoint_check(settings: Any, kind: str) -> None:
    settings.WATCHKEEPER_ALLOW_PRIVATE_ENDPOINTS = False
    admin = make_user("root", "admin")
    for url in ("https://169.254.169.254/", "https://10.0.0.1/", "http://localhost:5432/", "http://127.0.0.1:9/"):
        with pytest.raises(ValidationError) as error:
            notifications.create_channel(admin, name=f"c-{kind}", kind=kind, target=url, secret=WEBHOOK_SECRET)
        assert "target" in error.value.message_dict
    settings.WATCHKEEPER_ALLOW_PRIVATE_ENDPOINTS = True
    notifications.create_channel(
        admin, name=f"c-{kind}", kind=kind, target="http://127.0.0.1:9/", secret=WEBHOOK_SECRET
    )


def test_a_stored_private_target_is_checked_again_when_sending(settings: Any, receiver: WebhookReceiver) -> None:
    settings.WATCHKEEPER_ALLOW_PRIVATE_ENDPOINTS = False
    with pytest.raises(Permanent):
        WebhookTransport().send(message(receiver.url))
    assert receiver.requests == []

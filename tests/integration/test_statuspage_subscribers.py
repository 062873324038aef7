"""Subscribers: double opt-in, signed links, unsubscribe and erasure, limits, and exactly-once fan-out."""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone

from tests.integration.test_statuspage_publish import publish, run_tasks, snapshot_dir, world  # noqa: F401
from watchkeeper.statuspage import sending, services, tasks
from watchkeeper.statuspage.models import SignupAttempt, Subscriber, SubscriberMessage
from watchkeeper.statuspage.services import subscribers

pytestmark = pytest.mark.django_db


def _link(message: mail.EmailMessage, kind: str) -> str:
    found = re.search(rf"https?://[^\s]+/status/{kind}/[^\s]+", message.body)
    assert found, message.body
    return "/status/" + found.group(0).split("/status/", 1)[1]


def sign_up(client: Client, email: str, **extra: Any) -> Any:
    return client.post("/status/subscribe", {"email": email, "scope": "all", **extra})


def confirmed(client: Client, email: str, **extra: Any) -> Subscriber:
    sign_up(client, email, **extra)
    run_tasks()
    link = _link(mail.outbox[-1], "subscribe/confirm")
    assert client.post(link).status_code == 302
    return Subscriber.objects.get(email=email)


def test_sign_up_confirm_manage_and_unsubscribe(world: dict[str, Any], client: Client) -> None:  # noqa: F811
    assert client.get("/status/subscribe").status_code == 200
    response = sign_up(client, "Reader@Example.com")
    assert response.status_code == 200
    assert b"Check your email" in response.content
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "reader@example.com"
    assert subscriber.confirmed_at is None
    run_tasks()
    [message] = mail.outbox
    assert message.to == ["reader@example.com"]
    link = _link(message, "subscribe/confirm")
    # Opening the link (a mail scanner does) confirms nothing; the button does.
    assert client.get(link).status_code == 200
    assert Subscriber.objects.get().confirmed_at is None
    response = client.post(link)
    assert response.status_code == 302
    assert Subscriber.objects.get().confirmed_at is not None
    manage = response["Location"]
    assert client.get(manage).status_code == 200
    saved = client.post(manage, {"scope": "chosen", "components": [str(world["web"].pk)]})
    assert b"Your choices are saved" in saved.content
    subscriber = Subscriber.objects.get()
    assert not subscriber.all_components
    assert list(subscriber.components.all()) == [world["web"]]
    unsubscribe = manage.replace("/subscription/", "/unsubscribe/")
    assert client.get(unsubscribe).status_code == 200
    assert client.post(unsubscribe).status_code == 200
    assert not Subscriber.objects.exists()
    assert not SignupAttempt.objects.exists()
    assert client.get(manage).status_code == 404


def test_confirmation_links_expire_and_cannot_be_forged(client: Client) -> None:
    sign_up(client, "late@example.com")
    run_tasks()
    link = _link(mail.outbox[-1], "subscribe/confirm")
    with time_machine.travel(timezone.now() + timedelta(hours=49)):
        assert client.post(link).status_code == 400
    assert client.post(link[:-3] + "abc").status_code == 400
    assert Subscriber.objects.get().confirmed_at is None


def test_bad_sign_ups_show_errors(client: Client) -> None:
    response = sign_up(client, "not an email")
    assert b"Enter an email address in the correct format" in response.content
    response = client.post("/status/subscribe", {"email": "a@example.com", "scope": "chosen"})
    assert b"Select at least one component" in response.content
    assert not Subscriber.objects.exists()


def test_sign_ups_are_limited_per_address_and_per_ip(client: Client, settings: Any) -> None:
    settings.STATUSPAGE_SIGNUPS_PER_IP_PER_HOUR = 5
    for _ in range(3):
        assert sign_up(client, "same@example.com").status_code == 200
    assert sign_up(client, "same@example.com").status_code == 429
    assert sign_up(client, "other@example.com").status_code == 200
    assert sign_up(client, "third@example.com").status_code == 200
    # Five accepted sign-ups from this IP address in the hour: the sixth waits, whatever the address.
    assert sign_up(client, "fourth@example.com").status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        assert sign_up(client, "fourth@example.com").status_code == 200


def test_behind_the_proxy_the_limit_counts_each_client_address(client: Client, settings: Any) -> None:
    settings.STATUSPAGE_SIGNUPS_PER_IP_PER_HOUR = 2
    settings.BEHIND_PROXY = True

    def from_client(address: str, email: str) -> int:
        # The proxy (REMOTE_ADDR 10.0.0.2 for everyone) appends the address it saw; "6.6.6.6" is the client's forgery.
        forwarded = f"6.6.6.6, {address}"
        response = client.post(
            "/status/subscribe",
            {"email": email, "scope": "all"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=forwarded,
        )
        return response.status_code

    assert from_client("198.51.100.1", "a@example.com") == 200
    assert from_client("198.51.100.1", "b@example.com") == 200
    assert from_client("198.51.100.1", "c@example.com") == 429
    # Another client behind the same proxy has its own limit.
    assert from_client("198.51.100.2", "c@example.com") == 200
    settings.BEHIND_PROXY = False
    # Without BEHIND_PROXY the header is not trusted: every request counts as the proxy's, one limit for all.
    assert from_client("198.51.100.3", "d@example.com") == 200
    assert from_client("198.51.100.4", "e@example.com") == 200
    assert from_client("198.51.100.5", "f@example.com") == 429


def test_email_carries_one_click_unsubscribe_headers(world: dict[str, Any], client: Client) -> None:  # noqa: F811
    confirmed(client, "reader@example.com")
    mail.outbox.clear()
    publish(world)
    run_tasks()
    [message] = mail.outbox
    assert message.subject.endswith("Investigating: Payments are failing")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = message.extra_headers["List-Unsubscribe"].strip("<>")
    # RFC 8058: the mail client POSTs with no cookies and no CSRF token.
    path = "/status/" + unsubscribe.split("/status/", 1)[1]
    assert Client(enforce_csrf_checks=True).post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert not Subscriber.objects.exists()


def test_component_subscribers_get_only_their_components(world: dict[str, Any], client: Client) -> None:  # noqa: F811
    confirmed(client, "all@example.com")
    confirmed(client, "web@example.com", scope="chosen", components=[str(world["web"].pk)])
    sign_up(client, "unconfirmed@example.com")
    run_tasks()
    mail.outbox.clear()
    publish(world, component_statuses={world["api"]: "major_outage"})
    run_tasks()
    assert [m.to for m in mail.outbox] == [["all@example.com"]]


def test_backfilled_and_unnotified_posts_send_nothing(world: dict[str, Any], client: Client) -> None:  # noqa: F811
    confirmed(client, "all@example.com")
    mail.outbox.clear()
    public = publish(world, notify=False)
    services.post_update(
        world["lead"], public, status="resolved", display_at=timezone.now() - timedelta(hours=1), notify=True
    )
    run_tasks()
    assert mail.outbox == []
    assert not SubscriberMessage.objects.exists()


def test_fan_out_delivers_exactly_once_even_when_planned_and_sent_twice(world: dict[str, Any]) -> None:  # noqa: F811
    now = timezone.now()
    Subscriber.objects.bulk_create(
        [Subscriber(email=f"s{i}@example.com", created_at=now, confirmed_at=now) for i in range(25)]
    )
    public = publish(world, notify=False)
    update = public.updates.get()
    first = sending.plan(update.pk, "update")
    second = sending.plan(update.pk, "update")
    assert sum(map(len, first)) == 25
    assert first == second
    for batch in first + second:
        sending.send_batch(batch)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(f"s{i}@example.com" for i in range(25))
    assert SubscriberMessage.objects.filter(state="sent").count() == 25
    assert sending.plan(update.pk, "update") == []


def test_a_claim_abandoned_by_a_dead_worker_is_sent_once_later(world: dict[str, Any]) -> None:  # noqa: F811
    now = timezone.now()
    Subscriber.objects.create(email="one@example.com", created_at=now, confirmed_at=now)
    update = publish(world, notify=False).updates.get()
    [[delivery_id]] = sending.plan(update.pk, "update")
    # A worker claimed it and died before sending.
    SubscriberMessage.objects.filter(pk=delivery_id).update(state="sending", claimed_at=now)
    assert sending.send_batch([delivery_id]) == 0
    assert sending.release_stale(update.pk, "update") == 0
    with time_machine.travel(now + sending.stale() + timedelta(seconds=1)):
        assert sending.release_stale(update.pk, "update") == 1
        assert sending.send_batch(sending.plan(update.pk, "update")[0]) == 1
    assert len(mail.outbox) == 1


def test_the_sweep_resends_what_a_dead_worker_left_and_nothing_to_later_subscribers(
    world: dict[str, Any],  # noqa: F811
) -> None:
    now = timezone.now()
    Subscriber.objects.create(email="before@example.com", created_at=now, confirmed_at=now)
    update = publish(world, notify=False).updates.get()
    [[delivery_id]] = sending.plan(update.pk, "update")
    SubscriberMessage.objects.filter(pk=delivery_id).update(state="sending", claimed_at=now)  # its worker died
    later = now + sending.stale() + timedelta(seconds=1)
    Subscriber.objects.create(email="after@example.com", created_at=later, confirmed_at=later)
    with time_machine.travel(later):
        assert tasks.sweep.call(update.pk, "update") == 1
        run_tasks()
    assert [m.to for m in mail.outbox] == [["before@example.com"]]
    assert not SubscriberMessage.objects.filter(subscriber__email="after@example.com").exists()


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_send_each_delivery_once(world: dict[str, Any]) -> None:  # noqa: F811
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("threads need a database file or PostgreSQL")
    now = timezone.now()
    Subscriber.objects.bulk_create(
        [Subscriber(email=f"r{i}@example.com", created_at=now, confirmed_at=now) for i in range(40)]
    )
    update = publish(world, notify=False).updates.get()
    [batch] = sending.plan(update.pk, "update")
    errors: list[BaseException] = []

    def work() -> None:
        try:
            sending.send_batch(batch)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(mail.outbox) == 40
    assert len({m.to[0] for m in mail.outbox}) == 40


def test_erase_removes_the_address_and_its_records(client: Client) -> None:
    confirmed(client, "gone@example.com")
    assert subscribers.erase("Gone@example.com")
    assert not Subscriber.objects.exists()
    assert not SignupAttempt.objects.filter(address_hash=subscribers.address_hash("gone@example.com")).exists()

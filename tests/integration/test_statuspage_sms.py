"""Text message subscribers through GOV.UK Notify (the local fake): a code to sign up, and a message only when an
incident is created and when it is resolved, exactly once per (update, subscriber, medium)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from tests.fakes.notify import FakeNotify
from tests.integration.test_statuspage_publish import publish, run_tasks, snapshot_dir, world  # noqa: F401
from watchkeeper.statuspage import sending, services
from watchkeeper.statuspage.models import Subscriber, SubscriberMessage
from watchkeeper.statuspage.services import sms, subscribers

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.fakes.fixtures"]

TEMPLATE = "f33517ff-2a88-4f6e-b855-c550268ce08a"


@pytest.fixture
def texts(notify: FakeNotify, settings: Any) -> FakeNotify:
    settings.STATUSPAGE_NOTIFY_SMS_TEMPLATE_ID = TEMPLATE
    return notify


def _code(server: FakeNotify) -> str:
    found = re.match(r"(\d{6}) is your", server.sent[-1]["personalisation"]["message"])
    assert found, server.sent[-1]
    return found.group(1)


def signed_up(client: Client, server: FakeNotify, phone: str = "07700 900123") -> tuple[str, str]:
    """Signs up by the page; returns the code page's path and the code texted."""
    response = client.post("/status/subscribe/sms", {"phone": phone, "scope": "all"})
    assert response.status_code == 302, response.content
    run_tasks()
    return response["Location"], _code(server)


def test_sign_up_texts_a_code_that_confirms_the_number(
    world: dict[str, Any],  # noqa: F811
    client: Client,
    texts: FakeNotify,
) -> None:
    assert client.get("/status/subscribe/sms").status_code == 200
    page, code = signed_up(client, texts)
    [sent] = texts.sent
    assert sent["kind"] == "sms"
    assert sent["phone_number"] == "+447700900123"
    assert sent["template_id"] == TEMPLATE
    assert "07700" not in page and "447700" not in page  # the URL names the sign-up, not the number
    assert Subscriber.objects.get().confirmed_at is None
    wrong = "000000" if code != "000000" else "111111"
    response = client.post(page, {"code": wrong})
    assert response.status_code == 200
    assert b"The code is not correct" in response.content
    response = client.post(page, {"code": code})
    assert response.status_code == 302
    subscriber = Subscriber.objects.get()
    assert subscriber.confirmed_at is not None
    assert subscriber.medium == "sms"
    manage = client.get(response["Location"])
    assert b"+447700900123" in manage.content
    # The code works once.
    assert b"can no longer be used" in client.post(page, {"code": code}).content


def test_codes_expire_and_wrong_guesses_use_them_up(
    world: dict[str, Any],  # noqa: F811
    client: Client,
    texts: FakeNotify,
) -> None:
    with time_machine.travel(timezone.now(), tick=False) as clock:
        page, code = signed_up(client, texts)
        clock.shift(timedelta(minutes=16))
        assert b"has expired" in client.post(page, {"code": code}).content
    page, code = signed_up(client, texts)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(sms.MAX_FAILURES):
        client.post(page, {"code": wrong})
    assert b"can no longer be used" in client.post(page, {"code": code}).content
    assert Subscriber.objects.get().confirmed_at is None


def test_bad_numbers_get_a_clear_error_and_change_nothing(
    world: dict[str, Any],  # noqa: F811
    client: Client,
    texts: FakeNotify,
) -> None:
    for phone in ["", "12345", "020 7946 0000", "call me"]:
        response = client.post("/status/subscribe/sms", {"phone": phone, "scope": "all"})
        assert response.status_code == 200
        assert b"govuk-error-summary" in response.content
    assert not Subscriber.objects.exists()
    assert subscribers.normalise_phone("+44 (0)7700-900123".replace("(0)", "")) == "+447700900123"


def test_sign_up_takes_uk_numbers_unless_other_countries_are_allowed(settings: Any, client: Client) -> None:
    # Texts abroad cost money and premium numbers are how SMS pumping pays: the default is the UK only.
    with pytest.raises(ValidationError) as error:
        subscribers.normalise_phone("0033 6 12 34 56 78")
    assert "UK mobile" in error.value.message_dict["phone"][0]
    response = client.post("/status/subscribe/sms", {"phone": "+1 202 555 0143", "scope": "all"})
    assert b"Enter a UK mobile phone number" in response.content
    assert not Subscriber.objects.exists()
    settings.STATUSPAGE_SMS_COUNTRY_CODES = ["+44", "+33"]
    assert subscribers.normalise_phone("0033 6 12 34 56 78") == "+33612345678"
    settings.STATUSPAGE_SMS_COUNTRY_CODES = []
    assert subscribers.normalise_phone("+1 202 555 0143") == "+12025550143"


def _confirmed(phone: str) -> Subscriber:
    now = timezone.now()
    return Subscriber.objects.create(medium="sms", phone=phone, created_at=now, confirmed_at=now)


def test_texts_only_when_an_incident_is_created_and_resolved(
    world: dict[str, Any],  # noqa: F811
    texts: FakeNotify,
) -> None:
    reader = _confirmed("+447700900123")
    public = publish(world)
    run_tasks()
    services.post_update(world["lead"], public, status="identified", body="Found it.")
    services.post_update(world["lead"], public, status="monitoring", body="Fixed, watching.")
    run_tasks()
    services.post_update(world["lead"], public, status="resolved", body="All working.")
    run_tasks()
    # A correction after resolving is not a second "resolved" text.
    services.post_update(world["lead"], public, status="resolved", body="All working, with a typo fixed.")
    start = timezone.now() + timedelta(days=1)
    services.schedule_maintenance(
        world["lead"],
        name="Upgrade",
        body="Down for an hour.",
        components=[world["web"]],
        scheduled_for=start,
        scheduled_until=start + timedelta(hours=1),
    )
    run_tasks()
    messages = [m["personalisation"]["message"] for m in texts.sent]
    assert len(messages) == 2, messages
    assert "New incident: Payments are failing" in messages[0]
    assert "Resolved: Payments are failing" in messages[1]
    assert all("/status/subscription/" in m for m in messages)
    rows = SubscriberMessage.objects.filter(subscriber=reader, medium="sms")
    assert rows.count() == 2
    assert set(rows.values_list("state", flat=True)) == {"sent"}
    assert {m["reference"] for m in texts.sent} == {f"statuspage-delivery-{d.pk}" for d in rows}


def test_each_update_texts_each_subscriber_exactly_once(
    world: dict[str, Any],  # noqa: F811
    texts: FakeNotify,
) -> None:
    for number in range(3):
        _confirmed(f"+44770090012{number}")
    public = publish(world)
    update = public.updates.get()
    # Planning and sending twice (a task run twice, a sweep racing a batch) sends nothing more.
    for batch in sending.plan(update.pk, "update") + sending.plan(update.pk, "update"):
        sending.send_batch(batch)
    run_tasks()
    assert sorted(m["phone_number"] for m in texts.sent) == [f"+44770090012{n}" for n in range(3)]
    assert SubscriberMessage.objects.filter(update=update, medium="sms").count() == 3


def test_notify_refusing_fails_the_delivery_and_others_still_go(
    world: dict[str, Any],  # noqa: F811
    texts: FakeNotify,
    settings: Any,
) -> None:
    _confirmed("+447700900123")
    settings.STATUSPAGE_NOTIFY_SMS_TEMPLATE_ID = ""
    publish(world)
    run_tasks()
    row = SubscriberMessage.objects.get(medium="sms")
    assert row.state == "failed"
    assert "STATUSPAGE_NOTIFY_SMS_TEMPLATE_ID" in row.error
    assert texts.sent == []


def test_unsubscribe_and_erase_a_number(world: dict[str, Any], client: Client, texts: FakeNotify) -> None:  # noqa: F811
    reader = _confirmed("+447700900123")
    token = subscribers.manage_token(reader)
    assert b"+447700900123" in client.get(f"/status/unsubscribe/{token}").content
    response = client.post(f"/status/unsubscribe/{token}")
    assert b"deleted your phone number" in response.content
    assert not Subscriber.objects.exists()
    _confirmed("+447700900123")
    assert subscribers.erase("07700 900123")
    assert not Subscriber.objects.exists()

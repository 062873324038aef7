"""A person manages the ways a page reaches them: add with GOV.UK errors, reorder, remove, never someone else's."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.factories import make_contact, make_user
from watchkeeper.oncall.models import ContactMethod

pytestmark = pytest.mark.django_db
PAGE = "/oncall/contact-methods/"
LINK = r'id="calendar-link">http://testserver(/oncall/calendars/[^<]+\.ics)<'


def signed_in(username: str) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(username))
    client.get(PAGE)  # sets the CSRF cookie
    return client


def post(client: Client, path: str, data: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return client.post(path, {**(data or {}), "csrfmiddlewaretoken": client.cookies["csrftoken"].value})


def test_a_person_adds_methods_in_order_and_sees_them_listed() -> None:
    client = signed_in("ivy")
    assert post(client, PAGE, {"kind": "sms", "address": "07700 900 982", "delay_minutes": "0"}).status_code == 302
    assert (
        post(client, PAGE, {"kind": "email", "address": "ivy@example.gov.uk", "delay_minutes": "5"}).status_code == 302
    )
    methods = list(ContactMethod.objects.filter(user__username="ivy").order_by("position"))
    assert [(m.kind, m.address, m.delay_minutes) for m in methods] == [
        ("sms", "07700 900 982", 0),
        ("email", "ivy@example.gov.uk", 5),
    ]
    page = client.get(PAGE).content.decode()
    assert "07700 900 982" in page and "5 min" in page and "Text message (GOV.UK Notify)" in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"kind": "sms", "address": "not a number", "delay_minutes": "0"}, "address", "Enter a phone number"),
        ({"kind": "email", "address": "ivy-at-home", "delay_minutes": "0"}, "address", "Enter an email address"),
        ({"kind": "slack", "address": "@ivy", "delay_minutes": "0"}, "address", "Enter a Slack member ID"),
        ({"address": "07700900982", "delay_minutes": "0"}, "kind", "Select how to contact you"),
        ({"kind": "sms", "address": "07700900982", "delay_minutes": "90"}, "delay_minutes", "from 0 to 60"),
    ],
)
def test_bad_input_is_refused_with_an_error_summary_linking_the_field(
    data: dict[str, str], field: str, message: str
) -> None:
    client = signed_in("ivy")
    response = post(client, PAGE, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page and message in page
    assert f'href="#id_{field}' in page
    assert not ContactMethod.objects.exists()


def test_methods_move_up_and_down_and_are_removed() -> None:
    client = signed_in("ivy")
    ivy = User.objects.get(username="ivy")
    first = make_contact(ivy, "sms", "07700900001", position=0)
    second = make_contact(ivy, "email", "ivy@example.gov.uk", position=1)
    order = ContactMethod.objects.filter(user=ivy).order_by("position")
    post(client, f"/oncall/contact-methods/{second.pk}/up")
    assert list(order.values_list("pk", flat=True)) == [second.pk, first.pk]
    post(client, f"/oncall/contact-methods/{second.pk}/down")
    assert list(order.values_list("pk", flat=True)) == [first.pk, second.pk]
    post(client, f"/oncall/contact-methods/{second.pk}/remove")
    assert list(order.values_list("pk", flat=True)) == [first.pk]


def test_nobody_can_touch_someone_elses_method_or_use_the_page_signed_out() -> None:
    olly = make_user("olly")
    theirs = make_contact(olly, "sms", "07700900009")
    client = signed_in("ivy")
    assert post(client, f"/oncall/contact-methods/{theirs.pk}/remove").status_code == 403
    assert ContactMethod.objects.filter(pk=theirs.pk).exists()
    assert "07700900009" not in client.get(PAGE).content.decode()
    assert Client().get(PAGE).status_code == 302, "signed out: sent to sign in"


def test_changes_need_the_csrf_token() -> None:
    client = signed_in("ivy")
    response = client.post(PAGE, {"kind": "sms", "address": "07700900982", "delay_minutes": "0"})
    assert response.status_code == 403
    assert not ContactMethod.objects.exists()


def test_a_person_gets_a_calendar_link_and_replacing_it_stops_the_old_one() -> None:
    client = signed_in("ivy")
    assert "Get a calendar link" in client.get(PAGE).content.decode()
    assert post(client, "/oncall/contact-methods/calendar-link").status_code == 302
    first = re.search(
        r'id="calendar-link">http://testserver(/oncall/calendars/[^<]+\.ics)<', client.get(PAGE).content.decode()
    )
    assert first is not None
    assert client.get(first.group(1)).status_code == 200
    assert b"BEGIN:VCALENDAR" in Client().get(first.group(1)).content, "a calendar app reads it without signing in"

    assert post(client, "/oncall/contact-methods/calendar-link").status_code == 302
    page = client.get(PAGE).content.decode()
    second = re.search(LINK, page)
    assert second is not None and second.group(1) != first.group(1)
    assert Client().get(first.group(1)).status_code == 404, "the replaced link stops at once"
    assert Client().get(second.group(1)).status_code == 200


def test_a_calendar_link_needs_a_signed_in_person_and_a_post() -> None:
    assert Client().post("/oncall/contact-methods/calendar-link").status_code in (302, 403)
    assert signed_in("ivy").get("/oncall/contact-methods/calendar-link").status_code == 405

"""Notification channels, routes and the delivery log in a real Chromium, with an axe-core scan of every page."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.browser import assert_accessible
from tests.factories import PASSWORD, make_incident, make_service, make_user
from tests.fakes.http import Failure
from tests.fakes.webhooks import WEBHOOK_SECRET
from tests.fakes.worker import run_tasks
from watchkeeper.notifications.models import Channel, Delivery, Route, Status

pytest_plugins = ["tests.fakes.fixtures"]
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def save(page: Any) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()


def test_channels_routes_and_the_delivery_log_are_accessible(app_server: Any, page: Any, receiver: Any) -> None:
    base = app_server.url
    make_user("ada", "admin")
    service = make_service("pay", name="Pay")
    sign_in(page, base, "ada")

    page.goto(f"{base}/notifications/")
    assert page.get_by_role("heading", name="Notifications", level=1).is_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Add a channel").click()
    page.wait_for_url(f"{base}/notifications/channels/new")
    assert_accessible(page)

    # A form error: shown in the GOV.UK error summary, linked to its field, and the page is still accessible.
    page.get_by_label("Kind of channel").select_option("webhook")
    page.get_by_label("Where messages go").fill("not a url")
    save(page)
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert "Enter a name for the channel" in summary.inner_text()
    assert page.title().startswith("Error: ")
    assert_accessible(page)
    summary.get_by_role("link", name="Enter a name for the channel").click()
    assert page.evaluate("document.activeElement.id") == "id_name"

    page.get_by_label("Name", exact=True).fill("Pay webhook")
    page.get_by_label("Where messages go").fill(receiver.url)
    page.get_by_label("Secret", exact=True).fill(WEBHOOK_SECRET)
    save(page)
    assert page.url == f"{base}/notifications/", page.locator("main").inner_text()
    assert "Pay webhook saved" in page.locator("main").inner_text()
    assert_accessible(page)
    channel = Channel.objects.get(name="Pay webhook")

    page.get_by_role("button", name="Add a route").click()
    page.wait_for_url(f"{base}/notifications/routes/new")
    assert_accessible(page)
    page.get_by_label("Channel", exact=True).select_option(label="Pay webhook")
    page.get_by_label("Service", exact=True).select_option(label="Pay")
    page.get_by_label("Audience", exact=True).select_option(label="The service's team")
    page.get_by_label("P1", exact=True).check()
    page.get_by_label("P2", exact=True).check()
    save(page)
    assert page.url == f"{base}/notifications/"
    assert "Route saved" in page.locator("main").inner_text()
    assert_accessible(page)
    route = Route.objects.get(channel=channel)
    assert route.service == service and route.priorities == ["P1", "P2"]

    page.goto(f"{base}/notifications/channels/{channel.pk}/edit")
    assert_accessible(page)
    page.goto(f"{base}/notifications/routes/{route.pk}/edit")
    assert_accessible(page)

    # A delivery that fails for good, through the real path: routed, queued, sent, refused with a 400.
    receiver.fail_next(Failure(400, body=b'{"error": "unknown field"}'))
    incident = make_incident(make_user("lead", "responder"), service, priority="P1", title="Payments failing")
    run_tasks()
    failed = Delivery.objects.get(incident=incident, channel=channel, event="incident.declared")
    assert failed.status == Status.FAILED

    page.goto(f"{base}/incidents/{incident.reference}/")
    log = page.locator("#deliveries ~ .wk-scroll table, #deliveries ~ table").first
    assert "Failed" in log.inner_text()
    assert "HTTP 400" in log.inner_text()
    assert_accessible(page)

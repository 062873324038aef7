"""The public status page and email and text message sign-up in Chromium, with an axe-core scan of every public page."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from tests.e2e.browser import assert_accessible
from tests.factories import make_component, make_incident, make_service, make_user
from tests.integration.test_statuspage_publish import run_tasks
from watchkeeper.statuspage import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
pytest_plugins = ["tests.fakes.fixtures"]


@pytest.fixture(autouse=True)
def _status_settings(settings: Any, tmp_path: Path) -> None:
    settings.STATUSPAGE_SNAPSHOT_DIR = tmp_path / "snapshot"
    settings.STATUSPAGE_SUPPORT_URL = "https://help.example.gov.uk/"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _published() -> dict[str, Any]:
    lead = make_user("comms")
    service = make_service("payments", name="Pay for things")
    api = make_component(service, "api", name="Payments API")
    web = make_component(service, "web", name="Payment pages")
    incident = make_incident(lead, service, title="db01 disk full")
    now = timezone.now()
    old = services.publish_incident(
        lead, incident, name="Slow payments", body="Payments were slow.",
        component_statuses={web: "partial_outage"}, display_at=now - timedelta(days=3),
    )  # fmt: skip
    services.post_update(lead, old, status="resolved", body="", display_at=now - timedelta(days=3, hours=-2))
    public = services.publish_incident(
        lead, make_incident(lead, service), name="Payments are failing", body="Some payments fail.",
        component_statuses={api: "major_outage"},
    )  # fmt: skip
    services.schedule_maintenance(
        lead, name="Database upgrade", body="Payments unavailable for an hour.", components=[api],
        scheduled_for=now + timedelta(days=1), scheduled_until=now + timedelta(days=1, hours=1),
    )  # fmt: skip
    return {"public": public, "old": old, "web": web}


def test_public_page_and_sign_up_are_accessible(app_server: Any, page: Any) -> None:
    world = _published()
    page.goto(f"{app_server.url}/status/")
    main = page.locator("main")
    assert page.get_by_role("heading", name="Major System Outage").is_visible()
    assert "Payments are failing" in main.inner_text()
    assert "Database upgrade" in main.inner_text()
    assert "uptime over the last 90 days" in main.inner_text()
    # The history has a text and table alternative; the coloured bars are hidden from assistive technology.
    assert page.locator(".sp-bar").first.get_attribute("aria-hidden") == "true"
    page.get_by_text("Days with problems for Payment pages", exact=True).click()
    assert "Partial outage" in page.get_by_role("table").first.inner_text()
    assert_accessible(page)

    page.get_by_role("link", name="Payments are failing").click()
    assert page.get_by_role("heading", name="Payments are failing").is_visible()
    assert_accessible(page)

    page.goto(f"{app_server.url}/status/history")
    assert "Slow payments" in page.locator("main").inner_text()
    assert_accessible(page)

    page.goto(f"{app_server.url}/status/subscribe/webhook")
    page.get_by_role("button", name="Subscribe").click()
    assert "Enter the webhook address" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)

    page.get_by_role("link", name="Get updates").click()
    assert_accessible(page)
    page.get_by_role("button", name="Subscribe").click()
    assert "Enter your email address" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    page.get_by_label("Email address").fill("reader@example.com")
    page.get_by_label("Only the components I choose").check()
    page.get_by_label("Pay for things: Payment pages").check()
    page.get_by_role("button", name="Subscribe").click()
    assert page.get_by_role("heading", name="Check your email").is_visible()
    assert_accessible(page)

    run_tasks()
    link = re.search(r"http\S+/status/subscribe/confirm/\S+", mail.outbox[-1].body)
    assert link
    page.goto(app_server.url + "/status/" + link.group(0).split("/status/", 1)[1])
    assert_accessible(page)
    page.get_by_role("button", name="Confirm subscription").click()
    assert page.get_by_role("heading", name="Your email updates").is_visible()
    assert page.get_by_label("Pay for things: Payment pages").is_checked()
    assert_accessible(page)
    page.get_by_label("Every component").check()
    page.get_by_role("button", name="Save choices").click()
    assert page.get_by_text("Your choices are saved").is_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Unsubscribe").click()
    assert_accessible(page)
    page.get_by_role("button", name="Unsubscribe").click()
    assert page.get_by_role("heading", name="You have unsubscribed").is_visible()
    assert_accessible(page)
    assert world["public"].pk


def test_text_message_sign_up_is_accessible(app_server: Any, page: Any, notify: Any, settings: Any) -> None:
    settings.STATUSPAGE_NOTIFY_SMS_TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"
    _published()
    page.goto(f"{app_server.url}/status/subscribe")
    page.get_by_role("link", name="get a text message").click()
    page.get_by_role("button", name="Send me a code").click()
    assert "Enter your mobile phone number" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    page.get_by_label("Mobile phone number").fill("07700 900123")
    page.get_by_role("button", name="Send me a code").click()
    assert page.get_by_role("heading", name="Check your phone").is_visible()
    assert_accessible(page)
    run_tasks()
    code = re.match(r"\d{6}", notify.sent[-1]["personalisation"]["message"])
    assert code
    page.get_by_label("Code").fill(code.group(0))
    page.get_by_role("button", name="Confirm").click()
    assert page.get_by_role("heading", name="Your text message updates").is_visible()
    assert_accessible(page)

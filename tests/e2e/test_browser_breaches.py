"""A data protection officer's path through a breach in Chromium, with an axe-core scan of each page."""

from __future__ import annotations

import pytest

from tests.e2e.browser import assert_accessible
from tests.factories import PASSWORD, make_incident, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def test_breach_record_decisions_and_log_are_accessible(app_server, page) -> None:
    make_user("dpo", "security")
    incident = make_incident(make_user("lead"), type="personal_data_breach", title="Letters sent to old addresses")
    base = app_server.url
    sign_in(page, base, "dpo")

    page.goto(f"{base}/breaches/{incident.reference}/")
    assert page.get_by_role("heading", name="Personal data breach").is_visible()
    assert "ICO decision due in" in page.locator("main").inner_text()
    assert_accessible(page)

    page.get_by_role("button", name="Record the ICO decision").click()
    page.get_by_label("No").check()
    page.get_by_role("button", name="Save").click()
    summary = page.locator(".govuk-error-summary")
    assert "Explain why the breach will not be reported" in summary.inner_text()
    assert page.title().startswith("Error: ")
    assert_accessible(page)
    page.get_by_label("Reasons").fill("Only work email addresses of two colleagues")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{base}/breaches/{incident.reference}/")
    assert "Only work email addresses of two colleagues" in page.locator("main").inner_text()

    page.goto(f"{base}/breaches/{incident.reference}/ico-draft")
    assert page.get_by_role("heading", name="Nature of the breach").is_visible()
    assert_accessible(page)

    page.goto(f"{base}/breaches/{incident.reference}/security")
    assert page.get_by_role("heading", name="Evidence log").is_visible()
    assert_accessible(page)

    page.goto(f"{base}/breaches/{incident.reference}/security/evidence")
    assert_accessible(page)

    page.goto(f"{base}/breaches/")
    assert incident.reference in page.locator("main").inner_text()
    assert "Not reported" in page.locator("main").inner_text()
    assert_accessible(page)

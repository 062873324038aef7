"""Sign in and the home page in a real Chromium, with an axe-core scan of each page."""

from __future__ import annotations

from datetime import time

import pytest

from tests.e2e.browser import assert_accessible
from tests.factories import PASSWORD, make_service, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_and_home_page_are_accessible(app_server, page) -> None:
    make_user("ada", "responder")
    make_service("apply-scotland", name="Apply in Scotland", division="scotland", opening=time(9), closing=time(17))

    page.goto(f"{app_server.url}/")
    assert "/sign-in" in page.url
    assert_accessible(page)

    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".govuk-error-summary")
    assert "Enter your username" in summary.inner_text()
    assert "Enter your password" in summary.inner_text()
    assert_accessible(page)

    page.get_by_label("Username").fill("ada")
    page.get_by_role("textbox", name="Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    assert "Enter a correct username and password" in summary.inner_text()
    assert page.title().startswith("Error: ")

    page.get_by_label("Username").fill("ada")
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{app_server.url}/")

    assert page.get_by_role("heading", name="Apply in Scotland").is_visible()
    body = page.locator("main").inner_text()
    assert "09:00 to 17:00" in body
    assert "Scotland bank holidays" in body
    assert "P1 Critical" in body
    # The stylesheet really loaded through the manifest storage and WhiteNoise.
    assert page.evaluate("getComputedStyle(document.querySelector('.govuk-header')).display") != ""
    header_colour = page.evaluate("getComputedStyle(document.querySelector('.govuk-header')).backgroundColor")
    assert header_colour != "rgba(0, 0, 0, 0)"
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{app_server.url}/sign-in")

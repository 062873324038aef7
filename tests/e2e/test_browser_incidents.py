"""Running an incident in a real Chromium: the whole journey with the keyboard alone, and an axe-core
scan of every incident page in every state it can be in."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.e2e.browser import assert_accessible
from tests.factories import PASSWORD, make_incident, make_service, make_user
from watchkeeper.incidents import services
from watchkeeper.incidents.models import Incident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Set WK_SCREENSHOTS=/some/folder to keep pictures of the pages for a person to look at.
SCREENSHOTS = os.environ.get("WK_SCREENSHOTS")


def focus(page: Any, selector: str, *, limit: int = 300) -> None:
    """Presses Tab until the element matching ``selector`` has focus, as a keyboard user moves through a page."""
    for _ in range(limit):
        if page.evaluate("s => document.activeElement !== null && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector} on {page.url}")


def type_into(page: Any, selector: str, words: str) -> None:
    focus(page, selector)
    page.keyboard.type(words)


def press_button(page: Any, selector: str) -> None:
    focus(page, selector)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def main_text(page: Any) -> str:
    return str(page.locator("main").inner_text())


def snapshot(page: Any, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def test_declare_and_resolve_an_incident_with_the_keyboard_only(app_server: Any, page: Any) -> None:
    make_user("ada", "responder")
    bob = make_user("bob", "responder")
    service = make_service("pay", name="Pay")
    earlier = make_incident(bob, service, priority="P3", title="Slow receipts")

    page.goto(f"{app_server.url}/")
    type_into(page, "#id_username", "ada")
    type_into(page, "#id_password", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{app_server.url}/"

    # Declare: choose the service, see who is already on it, then declare anyway.
    press_button(page, 'a[href="/incidents/declare"]')
    focus(page, "#id_service")
    page.keyboard.type("Pay")  # a focused select picks the option that starts with what is typed
    press_button(page, 'form[method="get"] button')
    assert "Is anyone already on this?" in main_text(page)
    assert earlier.reference in main_text(page)

    type_into(page, "#id_title", "Card payments failing")
    type_into(page, "#id_description", "Every card payment is declined since the 09:00 deploy.")
    focus(page, "input[name=priority]")
    page.keyboard.press("Space")  # P1 is the first option; Space checks it
    page.keyboard.press("ArrowDown")  # and the arrow moves the choice to P2
    press_button(page, 'form[action="/incidents/declare"] button')
    incident = Incident.objects.exclude(pk=earlier.pk).get()
    assert page.url == f"{app_server.url}/incidents/{incident.reference}/"
    assert f"{incident.reference} declared" in main_text(page)
    assert incident.priority == "P2"

    # Take the lead in one step, then name bob as comms lead (Enter in a text box submits its form).
    press_button(page, 'form.wk-inline-form[action$="/lead"] button')
    assert "You are now the incident lead" in main_text(page)
    # The comms lead is chosen from the people who can take it: a focused select picks what is typed.
    type_into(page, "#id_comms-username", "bob")
    press_button(page, 'form.wk-role-form[action$="/comms-lead"] button')
    assert "bob is now the comms lead" in main_text(page)

    # Raise the priority: Tab lands on the checked radio (P2) and the arrow moves it up to P1.
    focus(page, 'input[name="priority-priority"]:checked')
    page.keyboard.press("ArrowUp")
    type_into(page, "#id_priority-reason", "Every user is affected")
    press_button(page, 'form[action$="/priority"] button')
    assert "Priority set to P1" in main_text(page)

    # A stakeholder update (the public one goes through the status page, tested with the 3am P1).
    type_into(page, "#id_update-body", "Card payments are failing. We are rolling back the deploy.")
    press_button(page, 'form[action$="/updates"] button')
    assert "Update posted" in main_text(page)

    # Status: investigating to identified.
    focus(page, 'input[name="status-status"]')
    page.keyboard.press("Space")
    assert page.evaluate("document.activeElement.value") == "identified"
    type_into(page, "#id_status-note", "The 09:00 deploy broke the card client")
    press_button(page, 'form[action$="/status"] button')
    assert "Status changed to identified" in main_text(page)

    # Resolve: choose "Resolved" with the arrows, then say how in the summary box.
    focus(page, 'input[name="status-status"]')
    page.keyboard.press("Space")
    while page.evaluate("document.activeElement.value") != "resolved":
        page.keyboard.press("ArrowDown")
    type_into(page, "#id_status-summary", "Rolled back the deploy; payments are working again.")
    press_button(page, 'form[action$="/status"] button')
    assert f"{incident.reference} resolved" in main_text(page)

    incident.refresh_from_db()
    assert incident.status == "resolved"
    assert (incident.incident_lead.username, incident.comms_lead.username, incident.priority) == ("ada", "bob", "P1")
    assert incident.summary == "Rolled back the deploy; payments are working again."
    assert incident.timeline.filter(kind="update").count() == 1


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def scan(page: Any, base: str, path: str, name: str) -> None:
    page.goto(f"{base}{path}")
    snapshot(page, name)
    assert_accessible(page)


def test_every_incident_page_and_state_is_accessible(app_server: Any, page: Any) -> None:
    base = app_server.url
    ada = make_user("ada", "responder")
    make_user("root", "admin")
    make_user("vic", "viewer")
    pay = make_service("pay", name="Pay")
    make_service("apply", name="Apply")

    sign_in(page, base, "ada")
    scan(page, base, "/", "dashboard-empty")
    assert "There are no open incidents." in main_text(page)

    # Something for every kind of row: overdue, met on time, restricted, resolved.
    overdue = make_incident(ada, pay, priority="P1", reported_at=timezone.now() - timedelta(hours=2))
    led = make_incident(ada, pay, priority="P2", title="Slow search", take_lead=True)
    make_incident(ada, pay, type="security_incident", title="Suspicious logins")
    services.post_update(ada, led, "Investigating slow search", public=True)
    finished = make_incident(ada, pay, priority="P4", title="Broken footer link")
    services.resolve(ada, finished, "Link fixed")

    scan(page, base, "/", "dashboard")
    assert "Update overdue" in main_text(page) and "Response overdue" in main_text(page)
    scan(page, base, "/?service=pay&priority=P1&status=investigating", "dashboard-filtered")
    scan(page, base, "/?priority=P9", "dashboard-bad-filter")
    assert "Select a priority from the list" in main_text(page)

    scan(page, base, "/incidents/declare", "declare-service")
    scan(page, base, "/incidents/declare?service=", "declare-service-error")
    scan(page, base, "/incidents/declare?service=apply", "declare-form")
    page.get_by_role("textbox", name="When was the problem first noticed?").fill("tomorrow")
    page.get_by_role("button", name="Declare incident").click()
    page.wait_for_load_state()
    assert "There is a problem" in main_text(page)
    snapshot(page, "declare-form-errors")
    assert_accessible(page)
    scan(page, base, "/incidents/declare?service=pay", "declare-anyone-on-this")
    assert "Is anyone already on this?" in main_text(page)

    scan(page, base, f"/incidents/{led.reference}/", "incident-open")
    page.get_by_role("button", name="Post update").click()
    page.wait_for_load_state()
    assert "Enter the update" in main_text(page)
    snapshot(page, "incident-errors")
    assert_accessible(page)
    page.get_by_role("radio", name="Resolved", exact=True).check()
    page.get_by_role("button", name="Change status").click()
    page.wait_for_load_state()
    assert "Say how the incident was resolved" in main_text(page)
    assert_accessible(page)
    scan(page, base, f"/incidents/{overdue.reference}/", "incident-overdue")
    scan(page, base, f"/incidents/{finished.reference}/", "incident-resolved")

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, base, "root")
    scan(page, base, f"/incidents/{finished.reference}/", "incident-resolved-admin")
    assert "Close the incident" in main_text(page)

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, base, "vic")
    scan(page, base, f"/incidents/{led.reference}/", "incident-viewer")
    scan(page, base, "/incidents/declare", "cannot-declare")

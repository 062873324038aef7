"""On call in a real Chromium, keyboard-only where it matters, with an axe-core scan of every page."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.browser import assert_accessible
from tests.e2e.test_browser_notifications import sign_in
from tests.factories import make_incident, make_policy, make_schedule, make_service, make_team, make_user
from watchkeeper.oncall.models import ContactMethod, Override, Page, PageStatus, Schedule, Swap

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def press(page: Any, name: str) -> None:
    """Reaches a button with the keyboard (focus, then Enter), as a keyboard-only user would."""
    with page.expect_navigation():
        page.get_by_role("button", name=name).focus()
        page.keyboard.press("Enter")


def test_who_is_on_call_schedules_overrides_swaps_and_a_page_are_accessible(app_server: Any, page: Any) -> None:
    base = app_server.url
    team = make_team("platform", name="Platform")
    ada, bea = make_user("ada"), make_user("bea")
    make_schedule([ada, bea], slug="platform-primary", team=team, start="2026-10-19T09:00:00+01:00")
    make_policy([{"ack_timeout_minutes": 5, "targets": [{"schedule": "platform-primary"}]}], slug="platform", team=team)
    sign_in(page, base, "ada")

    page.goto(f"{base}/oncall/")
    main = page.locator("main").inner_text()
    assert "Who is on call" in main and "On call now:" in main and "Coverage over 14 days" in main
    assert page.get_by_role("table", name="Platform-Primary: shifts over the next 14 days").is_visible()
    assert_accessible(page)

    page.goto(f"{base}/oncall/schedules/platform-primary/")
    assert_accessible(page)
    page.get_by_label("Who covers").fill("bea")
    page.get_by_label("From").first.fill("2027-01-06 12:00")
    page.get_by_label("Until").first.fill("2027-01-06 10:00")
    press(page, "Add override")
    assert "The end must be after the start" in page.locator(".govuk-error-summary").inner_text()
    assert page.title().startswith("Error: ")
    assert_accessible(page)
    page.get_by_label("Until").first.fill("2027-01-06 14:00")
    press(page, "Add override")
    assert Override.objects.get().user == bea

    page.locator("#id_swap-start").fill("2027-01-10 09:00")
    page.locator("#id_swap-end").fill("2027-01-11 09:00")
    press(page, "Offer shift")
    assert "ada offers" in page.locator("main").inner_text()
    assert_accessible(page)

    page.goto(f"{base}/oncall/policies/")
    assert_accessible(page)
    page.goto(f"{base}/oncall/policies/new")
    page.get_by_label("Name", exact=True).fill("Bad")
    page.get_by_label("Short name").fill("bad")
    page.get_by_label("Team").fill("platform")
    page.get_by_label("Steps").fill("0 user:ada")
    press(page, "Save")
    assert "at least 1" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    page.goto(f"{base}/oncall/schedules/new")
    assert_accessible(page)

    incident = make_incident(ada, make_service(team=team), priority="P3", title="Slow search")
    page.goto(f"{base}/oncall/pages/new?incident={incident.reference}")
    assert_accessible(page)
    page.get_by_label("Escalation policy").select_option("platform")
    press(page, "Page")
    created = Page.objects.get(incident=incident, source="web")
    assert_accessible(page)
    press(page, "Acknowledge")
    assert Page.objects.get(pk=created.pk).status == PageStatus.ACKNOWLEDGED
    page.goto(f"{base}/incidents/{incident.reference}/")
    assert f"Timeline of page {created.pk}" in page.locator("main").inner_text()
    assert_accessible(page)
    assert Swap.objects.count() == 1


def test_a_person_manages_their_contact_methods_by_keyboard(app_server: Any, page: Any) -> None:
    base = app_server.url
    make_user("ada")
    sign_in(page, base, "ada")

    page.goto(f"{base}/oncall/contact-methods/")
    assert_accessible(page)
    page.get_by_label("Text message (GOV.UK Notify)").check()
    page.get_by_label("Phone number, email address or Slack member ID").fill("not a number")
    press(page, "Add contact method")
    assert "Enter a phone number" in page.locator(".govuk-error-summary").inner_text()
    assert page.title().startswith("Error: ")
    assert_accessible(page)
    page.get_by_label("Phone number, email address or Slack member ID").fill("07700 900 982")
    press(page, "Add contact method")
    page.get_by_role("radio", name="Email").check()
    page.get_by_label("Phone number, email address or Slack member ID").fill("ada@example.gov.uk")
    press(page, "Add contact method")
    table = page.get_by_role("table", name="Your contact methods, in the order they are tried")
    assert "07700 900 982" in table.inner_text()
    assert_accessible(page)
    press(page, "Move up Email ada@example.gov.uk")
    rows = page.locator("tbody tr")
    assert "ada@example.gov.uk" in rows.nth(0).inner_text()
    press(page, "Remove Text message (GOV.UK Notify) 07700 900 982")
    assert "07700 900 982" not in page.locator("main").inner_text()
    assert ContactMethod.objects.filter(user__username="ada").count() == 1


def test_the_schedule_editor_adds_a_second_rotation_and_names_its_errors(app_server: Any, page: Any) -> None:
    base = app_server.url
    make_team("platform", name="Platform")
    make_user("ada")
    sign_in(page, base, "ada")

    page.goto(f"{base}/oncall/schedules/new")
    page.get_by_label("Name", exact=True).fill("Platform")
    page.get_by_label("Short name").fill("platform")
    page.get_by_label("Team").fill("platform")
    page.locator("#id_layers-0-members").fill("ada")
    page.locator("#id_layers-0-start").fill("2026-10-19 09:00")
    press(page, "Add another rotation")
    assert "Rotation 2" in page.locator("main").inner_text()
    assert page.locator("#id_layers-0-members").input_value() == "ada", "what was typed is kept"
    assert_accessible(page)
    page.locator("#id_layers-1-name").fill("Nights")
    page.locator("#id_layers-1-start").fill("2026-10-19 17:30")
    press(page, "Save")
    assert "at least one member" in page.locator(".govuk-error-summary").inner_text()
    assert page.title().startswith("Error: ")
    assert_accessible(page)
    page.locator("#id_layers-1-members").fill("ada")
    press(page, "Save")
    assert Schedule.objects.get(slug="platform").layers.count() == 2

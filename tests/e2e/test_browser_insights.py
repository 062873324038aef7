"""The Insights page in a real Chromium: charts readable without colour, filters with errors, axe-checked."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.e2e.browser import assert_accessible
from tests.factories import PASSWORD, make_incident, make_service, make_user
from watchkeeper.incidents import services as incidents

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_insights_page_reads_without_colour_and_passes_axe(app_server, page) -> None:
    lead = make_user("ada", "responder")
    service = make_service("pay", name="Pay")
    for hours, priority in ((30, "P1"), (20, "P2"), (10, "P3")):
        with time_machine.travel(timezone.now() - timedelta(hours=hours), tick=False):
            incident = make_incident(lead, service, title=f"{priority} payments failing", priority=priority)
            incidents.assign_role(lead, incident, "incident_lead", lead)
        with time_machine.travel(timezone.now() - timedelta(hours=hours - 2), tick=False):
            incidents.resolve(lead, incident, "Fixed")

    page.goto(f"{app_server.url}/sign-in")
    page.get_by_label("Username").fill("ada")
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{app_server.url}/")

    page.get_by_role("link", name="Insights").click()
    page.wait_for_url(f"{app_server.url}/insights/")
    assert page.get_by_role("heading", name="Insights", exact=True).is_visible()
    chart = page.get_by_role("img", name="Responded within the response time, by priority")
    assert chart.is_visible()
    assert "100.0% (1 of 1)" in chart.text_content()  # the value is text in the chart, not only a bar length
    table = page.get_by_role("region", name="Compliance by priority table")
    assert "P1" in table.inner_text() and "2 hours" in table.inner_text()
    assert page.get_by_role("link", name=incident.reference).count() == 1
    assert_accessible(page)

    page.get_by_text("Choose the period and incidents").click()
    page.get_by_label("From").fill("2030-01-01")
    page.get_by_role("button", name="Show figures").click()
    assert "The from date must be on or before the to date" in page.locator(".govuk-error-summary").inner_text()
    assert page.title().startswith("Error: ")
    assert_accessible(page)


def test_milestones_page_corrects_a_time_and_passes_axe(app_server, page) -> None:
    lead = make_user("ada", "responder")
    with time_machine.travel(timezone.now() - timedelta(hours=2), tick=False):
        incident = make_incident(lead, make_service("pay", name="Pay"), title="Logins failing", take_lead=True)
    page.goto(f"{app_server.url}/sign-in")
    page.get_by_label("Username").fill("ada")
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{app_server.url}/")

    page.goto(f"{app_server.url}/incidents/{incident.reference}/")
    page.get_by_role("link", name="Milestones").click()
    assert page.get_by_role("heading", name="Milestones").is_visible()
    assert_accessible(page)
    page.get_by_label("Responded").fill("2000-01-01 09:00")
    page.get_by_role("button", name="Save milestones").click()
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "cannot be before" in summary and "Say why the times are being corrected" in summary
    assert page.title().startswith("Error: ")
    assert_accessible(page)

"""Recording a review in a real Chromium, with an axe-core scan of the report, review form, register and actions."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.e2e.browser import assert_accessible
from tests.factories import PASSWORD, make_incident, make_service, make_user
from watchkeeper.incidents import services as incidents
from watchkeeper.reviews import services
from watchkeeper.reviews.models import Review

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_record_a_review_and_read_the_register(app_server, page) -> None:
    lead = make_user("ada", "responder")
    service = make_service("pay", name="Pay")
    # Two weeks ago, so the action below is overdue now and the review can be held in the past.
    with time_machine.travel(timezone.now() - timedelta(days=14), tick=False):
        incident = make_incident(lead, service, title="Card payments failing", priority="P2", take_lead=True)
        services.update_report(lead, incident, sections={"overview": "Card payments failed for an hour."})
        services.add_action(lead, incident, title="Alert on pool exhaustion", owner=lead, due_in_business_days=1)
    with time_machine.travel(timezone.now() - timedelta(days=14) + timedelta(hours=1), tick=False):
        incidents.resolve(lead, incident, "Restarted the pool")
    held = timezone.localtime(timezone.now() - timedelta(days=1)).strftime("%Y-%m-%d %H:%M")

    page.goto(f"{app_server.url}/sign-in")
    page.get_by_label("Username").fill("ada")
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{app_server.url}/")

    page.goto(f"{app_server.url}/reviews/{incident.reference}/report")
    assert page.get_by_role("heading", name="Incident report: Card payments failing").is_visible()
    assert "Card payments failed for an hour." in page.locator("main").inner_text()
    assert "1 hour" in page.locator("main").inner_text()
    assert_accessible(page)

    page.get_by_role("button", name="Record the review").click()
    page.get_by_role("button", name="Record the review").click()
    summary = page.locator(".govuk-error-summary")
    assert "Enter who attended" in summary.inner_text()
    assert "Select the root-cause category" in summary.inner_text()
    assert page.title().startswith("Error: ")
    assert page.get_by_role("heading", name="A blameless review").is_visible()
    assert_accessible(page)

    page.get_by_label("When was the review held?").fill(held)
    page.get_by_label("Who attended?").fill("ada, grace")
    page.get_by_label("What caused it?").fill("The connection pool was too small for the peak")
    page.get_by_label("Capacity issue").check()
    page.get_by_label("What helped?").fill("Clear dashboards")
    page.get_by_role("button", name="Record the review").click()
    page.wait_for_url(f"{app_server.url}/reviews/{incident.reference}/report")
    assert "Review recorded" in page.locator("main").inner_text()
    report = page.locator("main").inner_text()
    assert "Clear dashboards" in report
    assert "Not answered" in report and "None" not in report  # empty answers stay empty through a failed submit
    assert page.get_by_role("link", name="Change status of Alert on pool exhaustion").is_visible()
    assert Review.objects.get(incident=incident).root_cause_category == "capacity"

    page.goto(f"{app_server.url}/reviews/register")
    table = page.get_by_role("region", name="Incident register table")
    assert incident.reference in table.inner_text()
    assert "Capacity issue" in table.inner_text()
    assert_accessible(page)
    page.get_by_text("Filter the register").click()
    page.get_by_label("Declared from").fill("not a date")
    page.get_by_role("button", name="Apply filters").click()
    assert "Enter a date as YYYY-MM-DD" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)

    page.goto(f"{app_server.url}/reviews/actions/overdue")
    assert "Alert on pool exhaustion" in page.locator("main").inner_text()
    assert_accessible(page)

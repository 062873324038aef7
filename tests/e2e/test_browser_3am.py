"""The 3am P1 in Chromium: from the dashboard to the first public update in at most 4 pages, the public page
matching the incident at every step through resolution, and every page axe-clean at 1280 and 320 px wide with
no sideways scrolling (WCAG 1.4.10 reflow)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.browser import assert_accessible
from tests.factories import PASSWORD, make_component, make_incident, make_service, make_user
from watchkeeper.incidents.models import Incident
from watchkeeper.statuspage.models import PublicIncident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1280, "height": 900}
NARROW = {"width": 320, "height": 720}


@pytest.fixture(autouse=True)
def _status_settings(settings: Any, tmp_path: Path) -> None:
    settings.STATUSPAGE_SNAPSHOT_DIR = tmp_path / "snapshot"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


class Journey:
    """Counts what a person does: each page the browser loads, and each click or choice they make."""

    def __init__(self, page: Any) -> None:
        self.page = page
        # The page the journey starts on (the dashboard) is the first page.
        self.pages: list[str] = [page.url]
        self.clicks = 0
        page.on("load", lambda loaded: self.pages.append(loaded.url))

    def click(self, locator: Any) -> None:
        self.clicks += 1
        locator.click()
        self.page.wait_for_load_state()

    def choose(self, locator: Any) -> None:
        self.clicks += 1
        locator.check()


WIDEST = """() => [...document.querySelectorAll("body *")]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .slice(0, 5).map(e => e.tagName + "." + e.className + " " + Math.round(e.getBoundingClientRect().right))"""


def no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.viewport_size["width"]
    assert width <= wide, f"{page.url} is {width} px wide at {wide} px: {page.evaluate(WIDEST)}"


def check_both_widths(page: Any) -> None:
    for size in (WIDE, NARROW):
        page.set_viewport_size(size)
        no_sideways_scroll(page)
        assert_accessible(page)
    page.set_viewport_size(WIDE)


def public_says(public: Any, base: str, incident: Incident) -> str:
    """The public incident page's status, read as a member of the public would (not signed in)."""
    found = PublicIncident.objects.get(incident=incident)
    public.goto(f"{base}/status/incidents/{found.pk}")
    text = public.locator("main").inner_text()
    match = re.search(r"Status\s+(Investigating|Identified|Monitoring|Resolved)", text)
    assert match, text
    return match.group(1).lower()


def test_the_3am_p1_tells_the_public_within_4_pages_and_the_status_page_follows(
    app_server: Any, page: Any, browser: Any
) -> None:
    base = app_server.url
    make_user("ada", "responder")
    service = make_service("licences", name="Apply for a licence")
    make_component(service, "form", name="Licence applications")
    make_component(service, "pay", name="Licence payments")
    page.set_viewport_size(WIDE)
    page.goto(f"{base}/sign-in")
    page.get_by_label("Username").fill("ada")
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")
    check_both_widths(page)

    journey = Journey(page)
    # A member of the public, not signed in; asking past the 15-second browser cache, as a reload does.
    public = browser.new_context(extra_http_headers={"Cache-Control": "no-cache"}).new_page()
    # 1. The dashboard: declare on the service straight away.
    journey.clicks += 1  # choosing from the select counts as a click
    page.get_by_label("Declare an incident on").select_option("licences")
    journey.click(page.get_by_role("button", name="Declare on this service"))
    # 2. The declaration.
    page.get_by_label("What is happening?").fill("Licence applications cannot be submitted")
    journey.choose(page.get_by_role("radio", name=re.compile(r"^P1")))
    journey.choose(page.get_by_label("I will lead this incident"))
    journey.click(page.get_by_role("button", name="Declare incident"))
    incident = Incident.objects.get()
    assert incident.incident_lead is not None and incident.priority == "P1"
    # 3. The incident page leads with the next action: tell the wider audience.
    summary = page.locator("#summary").inner_text()
    assert "Next: Tell the wider audience" in summary
    assert "Not published" in summary
    check_both_widths(page)
    journey.click(page.get_by_role("button", name="Publish to status page"))
    # 4. The publish form, pre-filled from the incident: the service's components, a major outage for a P1.
    assert page.get_by_label("Licence applications").is_checked()
    assert page.get_by_label("Licence payments").is_checked()
    assert page.get_by_role("radio", name="Major outage").is_checked()
    body = page.get_by_label("Message").input_value()
    assert body.startswith("We are investigating a problem with Licence applications and Licence payments.")
    check_both_widths(page)
    page.get_by_label("Public title").fill("Licence applications cannot be submitted")
    pages_before_public, clicks_before_public = len(journey.pages), journey.clicks + 1
    journey.click(page.get_by_role("button", name="Publish"))
    assert pages_before_public <= 4, journey.pages
    assert public_says(public, base, incident) == "investigating"
    assert "Major System Outage" in public.goto(f"{base}/status/").text()

    for status, words in [
        ("Identified", "We have found the cause of the problem with Licence applications and Licence payments"),
        ("Monitoring", "We have fixed the problem with Licence applications and Licence payments."),
        ("Resolved", "The problem with Licence applications and Licence payments is resolved."),
    ]:
        # The status changes on the incident page; the same step offers the matching public post, pre-filled.
        page.goto(f"{base}/incidents/{incident.reference}/#act")
        journey.choose(page.get_by_role("radio", name=status, exact=True))
        if status == "Resolved":
            page.get_by_label("If you are resolving it: how was it resolved?").fill("Restarted the servers.")
        journey.click(page.get_by_role("button", name="Change status"))
        assert "/status/publish/" in page.url
        assert page.get_by_label("Message").input_value().startswith(words)
        if status == "Resolved":
            assert page.get_by_role("radio", name="Operational").is_checked()
        check_both_widths(page)
        journey.click(page.get_by_role("button", name="Post update"))
        assert page.url.endswith(f"/incidents/{incident.reference}/#summary")
        incident.refresh_from_db()
        assert public_says(public, base, incident) == incident.status == status.lower()
        assert "Status page still says" not in page.locator("main").inner_text()
        check_both_widths(page)

    text = public.goto(f"{base}/status/").text()
    assert "All Systems Operational" in text
    found = PublicIncident.objects.get(incident=incident)
    public.goto(f"{base}/status/incidents/{found.pk}")
    assert re.search(r"Impact\s+Critical", public.locator("main").inner_text())
    assert incident.timeline.filter(kind="update", public=True).count() == 4
    page.goto(f"{base}/")
    check_both_widths(page)
    page.goto(f"{base}/reviews/register")
    check_both_widths(page)
    print(
        f"\n3am P1: {pages_before_public} pages and {clicks_before_public} clicks to the first public update; "
        f"{len(journey.pages)} pages and {journey.clicks} clicks to resolved, internally and publicly"
    )


def test_clocks_are_right_without_javascript_and_keep_current_with_it(app_server: Any, browser: Any) -> None:
    ada = make_user("ada", "responder")
    service = make_service("licences", name="Apply for a licence")
    incident = make_incident(ada, service, priority="P1", title="Licence applications cannot be submitted")
    for javascript in (False, True):
        context = browser.new_context(java_script_enabled=javascript)
        page = context.new_page()
        page.clock.install()
        page.goto(f"{app_server.url}/sign-in")
        page.get_by_label("Username").fill("ada")
        page.get_by_role("textbox", name="Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{app_server.url}/")
        page.goto(f"{app_server.url}/incidents/{incident.reference}/")
        clock = page.locator("#summary [data-wk-deadline]").first
        assert re.fullmatch(r"Due in (19|20) minutes", clock.inner_text())
        page.clock.fast_forward("06:00")
        expected = r"Due in (13|14) minutes" if javascript else r"Due in (19|20) minutes"
        assert re.fullmatch(expected, clock.inner_text()), clock.inner_text()
        context.close()

"""The catalogue's admin pages in a real Chromium, with an axe-core scan of every page and its error state."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.e2e.browser import assert_accessible
from tests.e2e.test_browser_notifications import save, sign_in
from tests.factories import make_component, make_incident, make_service, make_user
from watchkeeper.catalogue import services
from watchkeeper.catalogue.models import ClosureDate, Component
from watchkeeper.slackapp.models import ChannelPolicy
from watchkeeper.statuspage import services as statuspage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def press(page: Any, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()


def errors(page: Any) -> str:
    return str(page.locator(".govuk-error-summary").inner_text())


def test_an_admin_changes_and_removes_components_closures_and_slack_channels_accessibly(
    app_server: Any, page: Any
) -> None:
    base = app_server.url
    root = make_user("root", "admin")
    pay = make_service("pay", name="Pay")
    api = make_component(pay, "api", name="Pay API")
    make_component(pay, "web", name="Pay website", position=1)
    away = services.add_closure_date(service=pay, date=date(2026, 12, 24), reason="Away day")
    incident = make_incident(root, pay, title="Card payments failing")
    public = statuspage.publish_incident(
        root, incident, name="Payments failing", body="Looking into it", component_statuses={api: "major_outage"}
    )
    sign_in(page, base, "root")

    page.goto(f"{base}/catalogue/services/pay/")
    assert_accessible(page)

    # Change a component, first with a short name another component has.
    page.get_by_role("link", name="Change Pay API").click()
    page.wait_for_url(f"{base}/catalogue/services/pay/components/api/edit")
    assert_accessible(page)
    page.get_by_label("Short name").fill("web")
    save(page)
    assert "Another component of this service already uses this short name" in errors(page)
    assert_accessible(page)
    page.get_by_label("Name", exact=True).fill("Payments API")
    page.get_by_label("Short name").fill("api")
    save(page)
    assert Component.objects.get(pk=api.pk).name == "Payments API"

    # Removing it is refused while the open public incident lists it, and allowed once it is resolved.
    page.get_by_role("link", name="Remove Payments API").click()
    assert_accessible(page)
    press(page, "Remove the component")
    assert "Payments failing" in errors(page)
    assert_accessible(page)
    statuspage.post_update(root, public, status="resolved", body="Fixed")
    page.goto(f"{base}/catalogue/services/pay/components/api/remove")
    assert_accessible(page)
    press(page, "Remove the component")
    assert not Component.objects.filter(pk=api.pk).exists()

    # Closure dates: adding with a bad date, then removing one.
    page.goto(f"{base}/catalogue/services/pay/closures/new")
    page.get_by_label("Date the office is closed").fill("tomorrow")
    save(page)
    assert "Enter a real date" in errors(page)
    assert_accessible(page)
    page.goto(f"{base}/catalogue/services/pay/")
    page.get_by_role("link", name="Remove the closure on 24 December 2026").click()
    assert_accessible(page)
    press(page, "Remove the closure date")
    assert not ClosureDate.objects.filter(pk=away.pk).exists()

    page.goto(f"{base}/catalogue/services/pay/priorities")
    assert_accessible(page)

    # Slack channels: a name where a member ID belongs, then a good answer.
    page.goto(f"{base}/catalogue/services/pay/")
    page.get_by_role("button", name="Slack channels").click()
    page.wait_for_url(f"{base}/slack/services/pay/channels")
    assert_accessible(page)
    page.get_by_label("Yes, a channel for every incident").check()
    page.get_by_label("People to invite to every channel (optional)").fill("@ada")
    save(page)
    assert "@ada is not a Slack member ID" in errors(page)
    assert_accessible(page)
    page.get_by_label("People to invite to every channel (optional)").fill("U024BE7LH")
    save(page)
    assert ChannelPolicy.objects.get(service=pay).invite == "U024BE7LH"
    assert_accessible(page)

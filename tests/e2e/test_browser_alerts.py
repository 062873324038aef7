"""Alert pages and the integration pages in a real Chromium, with an axe-core scan of every page and state."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import assert_accessible
from tests.e2e.test_browser_notifications import save, sign_in
from tests.factories import make_policy, make_service, make_user
from watchkeeper.alerts.models import Integration, key_digest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def post_alert(url: str, body: bytes) -> int:
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def submit(page: Any, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()


def test_an_admin_adds_rotates_and_deletes_an_integration_and_every_page_is_accessible(
    app_server: Any, page: Any
) -> None:
    base = app_server.url
    make_user("ada", "admin")
    make_service("pay", name="Pay")
    make_policy([{"targets": [{"user": "ada"}]}], slug="pay-oncall")
    sign_in(page, base, "ada")

    page.goto(f"{base}/alerts/")
    assert_accessible(page)
    page.get_by_role("link", name="add one").click()
    page.wait_for_url(f"{base}/alerts/integrations/new")
    assert_accessible(page)

    # A heartbeat needs an interval of at least 10 seconds: the error summary says so and links to the field.
    page.get_by_label("Name", exact=True).fill("Nightly backup")
    page.get_by_label("Escalation policy").select_option(label="Pay-Oncall")
    page.get_by_label("Heartbeat", exact=True).check()
    page.get_by_label("Expected interval between heartbeats, in seconds").fill("5")
    submit(page, "Add the integration")
    summary = page.locator(".govuk-error-summary")
    assert "at least 10 seconds" in summary.inner_text() and page.title().startswith("Error: ")
    assert_accessible(page)
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_heartbeat_interval"
    assert not Integration.objects.exists()

    page.get_by_label("Expected interval between heartbeats, in seconds").fill("300")
    page.get_by_label("Label routes").fill("severity=critical: P1")
    submit(page, "Add the integration")
    assert "Nightly backup added" in page.locator("main").inner_text()
    key = page.get_by_label("Integration key").input_value()
    heartbeat_url = page.get_by_label("Heartbeat URL", exact=False).input_value()
    assert heartbeat_url.endswith(f"/alerts/heartbeat/{key}")
    assert_accessible(page)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page.get_by_role("button", name="Copy Integration key").click()
    # The copy is asynchronous (the clipboard answers a promise): wait for the announcement rather than race it.
    expect(page.get_by_role("status").first).to_have_text("Integration key copied")
    assert page.evaluate("navigator.clipboard.readText()") == key
    integration = Integration.objects.get(name="Nightly backup")
    assert integration.key_digest == key_digest(key)

    # A sender that gets it wrong shows up on the list, with the reason.
    assert post_alert(f"{base}/alerts/generic/{key}", b"{not json") == 400
    submit(page, "I have copied the key")
    assert page.url == f"{base}/alerts/integrations/?service=pay#integration-{integration.pk}"
    main = page.locator("main").inner_text()
    assert "1 refused" in main and "Malformed JSON" in main and key not in main
    assert_accessible(page)

    page.get_by_role("link", name="Change (Nightly backup)").click()
    assert_accessible(page)
    page.get_by_label("Name", exact=True).fill("Nightly backups")
    save(page)
    assert "Nightly backups saved" in page.locator("main").inner_text()

    page.get_by_role("link", name="Rotate key (Nightly backups)").click()
    assert_accessible(page)
    page.get_by_label("7 days").check()
    submit(page, "Rotate the key")
    new = page.get_by_label("Integration key").input_value()
    assert new != key and "The old key keeps working until" in page.locator("main").inner_text()
    assert_accessible(page)
    page.goto(f"{base}/alerts/integrations/")
    assert "The previous key also works until" in page.locator("main").inner_text()
    assert_accessible(page)

    page.get_by_role("link", name="Delete (Nightly backups)").click()
    assert_accessible(page)
    submit(page, "Delete the integration")
    assert "Nightly backups deleted" in page.locator("main").inner_text()
    assert not Integration.objects.exists()
    assert_accessible(page)


def test_alert_groups_are_accessible(app_server: Any, page: Any) -> None:
    base = app_server.url
    make_user("ada", "admin", "responder")
    make_service("pay", name="Pay")
    sign_in(page, base, "ada")
    page.goto(f"{base}/alerts/integrations/new")
    page.get_by_label("Name", exact=True).fill("Cron")
    page.get_by_label("Generic JSON").check()
    submit(page, "Add the integration")
    key = page.get_by_label("Integration key").input_value()
    body = {"summary": "Nightly backup failed", "dedup_key": "backup", "details": {"host": "db-1"}}
    assert post_alert(f"{base}/alerts/generic/{key}", json.dumps(body).encode()) == 202
    page.goto(f"{base}/alerts/")
    assert_accessible(page)
    page.get_by_role("link", name="Nightly backup failed").click()
    assert "Acknowledge" in page.locator("main").inner_text()
    assert_accessible(page)

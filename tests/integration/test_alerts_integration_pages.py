"""Integration pages: admins add, change, rotate and delete integrations; a key is shown once and works at once."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import PASSWORD, make_incident, make_integration, make_policy, make_service, make_user
from watchkeeper.alerts.forms import parse_route, routes_text
from watchkeeper.alerts.models import AlertGroup, Integration, LabelRoute, key_digest
from watchkeeper.alerts.services import declaring
from watchkeeper.incidents.models import Incident

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client: Client) -> Client:
    make_user("ada", "admin")
    client.login(username="ada", password=PASSWORD)
    return client


def shown_key(page: str) -> str:
    found = set(re.findall(r"\b[a-z0-9]{32}\b", page))
    assert len(found) == 1, f"one key on the page, not {found}"
    return found.pop()


def generic(client: Client, key: str, dedup_key: str = "disk") -> int:
    body = json.dumps({"summary": "Disk full", "dedup_key": dedup_key})
    return client.post(f"/alerts/generic/{key}", body, content_type="application/json").status_code


def test_create_shows_the_key_once_with_working_urls_and_never_again(admin: Client) -> None:
    service = make_service("pay", name="Pay")
    policy = make_policy([{"targets": [{"user": "ada"}]}], slug="pay-oncall")
    make_service("tax", name="Tax")
    form = admin.get("/alerts/integrations/new?service=pay").content.decode()
    assert re.search(rf'<option value="{service.pk}" selected>\s*Pay', form), "the service it came from is chosen"
    data = {
        "name": "Pay scripts",
        "service": service.pk,
        "policy": policy.pk,
        "kind": "generic",
        "grouping": "dedup_key",
        "routes": "severity=critical: P1\nteam=db, env=prod: P2 declare no-page",
    }
    response = admin.post("/alerts/integrations/new", data)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    page = response.content.decode()
    key = shown_key(page)
    assert f"{settings.SITE_URL}/alerts/generic/{key}" in page
    integration = Integration.objects.get(name="Pay scripts")
    assert integration.key_digest == key_digest(key) and integration.policy == policy
    assert integration.created_by.username == "ada"
    assert [(r.matchers, r.priority, r.page, r.auto_declare) for r in integration.routes.all()] == [
        ({"severity": "critical"}, "P1", True, False),
        ({"team": "db", "env": "prod"}, "P2", False, True),
    ]
    assert generic(Client(), key) == 202, "the key shown works at once"
    assert AlertGroup.objects.filter(integration=integration).count() == 1
    # Never again: not on the list, not on the edit page.
    listing = admin.get("/alerts/integrations/").content.decode()
    assert "Pay scripts" in listing and key not in listing and key[:6] in listing
    assert "/alerts/generic/{key}" in listing
    assert key not in admin.get(f"/alerts/integrations/{integration.pk}/edit").content.decode()


def test_validation_errors_show_in_the_error_summary_and_change_nothing(admin: Client) -> None:
    service = make_service("pay")
    base = {"name": "Beat", "service": service.pk, "kind": "heartbeat", "grouping": "dedup_key"}
    cases = [
        ({**base, "heartbeat_interval": "5"}, "at least 10 seconds"),
        ({**base, "heartbeat_interval": ""}, "at least 10 seconds"),
        ({**base, "name": ""}, "Enter a name for the integration"),
        ({**base, "heartbeat_interval": "60", "kind": "fax"}, "Select one of the options"),
        ({**base, "heartbeat_interval": "60", "grouping": "labels"}, "Name the labels to group by"),
        ({**base, "heartbeat_interval": "60", "routes": "severity critical P1"}, "Label routes line 1"),
        ({**base, "heartbeat_interval": "60", "routes": "severity=critical: P9"}, "is not a priority"),
    ]
    for data, message in cases:
        page = admin.post("/alerts/integrations/new", data).content.decode()
        assert "govuk-error-summary" in page and message in page, (data, message)
        assert "<title>Error: " in page
    assert not Integration.objects.exists()
    admin.post("/alerts/integrations/new", {**base, "heartbeat_interval": "60"})
    assert Integration.objects.get().heartbeat_interval == timedelta(seconds=60)


def test_edit_changes_the_integration_and_keeps_the_key(admin: Client) -> None:
    service, other = make_service("pay"), make_service("tax")
    integration, key = make_integration(service=service, kind="heartbeat", heartbeat_interval=timedelta(minutes=5))
    edit = f"/alerts/integrations/{integration.pk}/edit"
    page = admin.get(edit).content.decode()
    assert 'value="300"' in page and 'name="kind"' not in page
    bad = admin.post(edit, {"name": "Beat", "service": other.pk, "heartbeat_interval": "3", "grouping": "single"})
    assert "at least 10 seconds" in bad.content.decode()
    integration.refresh_from_db()
    assert integration.service == service, "nothing changed"
    data = {"name": "Nightly beat", "service": other.pk, "heartbeat_interval": "600", "grouping": "single"}
    saved = admin.post(edit, {**data, "routes": "severity=warning: P4"})
    assert saved.status_code == 302
    assert saved["Location"] == f"/alerts/integrations/?service=tax#integration-{integration.pk}"
    integration.refresh_from_db()
    assert (integration.name, integration.service, integration.heartbeat_interval) == (
        "Nightly beat",
        other,
        timedelta(minutes=10),
    )
    assert integration.key_digest == key_digest(key)
    assert "severity=warning: P4" in admin.get(edit).content.decode()


def test_rotate_shows_the_new_key_once_and_the_old_one_works_for_the_overlap(admin: Client) -> None:
    integration, old = make_integration(kind="generic")
    rotate = f"/alerts/integrations/{integration.pk}/rotate-key"
    assert "How long should the old key keep working?" in admin.get(rotate).content.decode()
    assert "Select one of the options" in admin.post(rotate, {"overlap": "12"}).content.decode()
    assert "Select an answer" in admin.post(rotate, {}).content.decode()
    integration.refresh_from_db()
    assert integration.key_digest == key_digest(old), "nothing changed"
    response = admin.post(rotate, {"overlap": "24"})
    new = shown_key(response.content.decode())
    assert response["Cache-Control"] == "no-store" and new != old
    assert generic(Client(), new, "a") == 202 and generic(Client(), old, "b") == 202
    listing = admin.get("/alerts/integrations/").content.decode()
    assert "Rotating" in listing and "The previous key also works until" in listing and new not in listing
    # With no overlap the old key stops at once.
    newest = shown_key(admin.post(rotate, {"overlap": "0"}).content.decode())
    assert generic(Client(), new, "c") == 404
    assert generic(Client(), newest, "d") == 202
    integration.refresh_from_db()
    assert integration.previous_key_expires_at is None


def test_delete_asks_first_and_then_the_key_stops_working(admin: Client) -> None:
    integration, key = make_integration(kind="generic", name="Old cron")
    generic(Client(), key)
    incident = make_incident(title="Backups failing")
    declaring.link_group(make_user("lead"), AlertGroup.objects.get(integration=integration), incident)
    delete = f"/alerts/integrations/{integration.pk}/delete"
    page = admin.get(delete).content.decode()
    assert "Delete Old cron?" in page and "1 alert group and" in page
    assert Integration.objects.filter(pk=integration.pk).exists(), "a GET deletes nothing"
    response = admin.post(delete)
    assert response.status_code == 302 and response["Location"] == "/alerts/integrations/"
    assert not Integration.objects.filter(pk=integration.pk).exists()
    assert Incident.objects.filter(pk=incident.pk).exists(), "incidents declared from its alerts stay"
    assert generic(Client(), key) == 404
    assert "Old cron deleted" in admin.get("/alerts/integrations/").content.decode()


def test_refusals_show_on_the_list_with_the_latest_reason(admin: Client) -> None:
    service = make_service("pay", name="Pay")
    integration, key = make_integration(service=service, kind="generic", name="Cron")
    sender = Client()
    sender.post(f"/alerts/generic/{key}", "{not json", content_type="application/json")
    sender.post(f"/alerts/generic/{key}", json.dumps({"summary": "x" * 1025}), content_type="application/json")
    integration.refresh_from_db()
    assert integration.refusals == 2
    listing = admin.get("/alerts/integrations/?service=pay").content.decode()
    assert "2 refused" in listing and integration.last_refusal in listing
    assert "No integrations on this service" in admin.get("/alerts/integrations/?service=tax").content.decode()


def test_only_admins_manage_integrations_and_anonymous_people_sign_in(client: Client) -> None:
    integration, key = make_integration(kind="generic")
    paths = [
        "/alerts/integrations/",
        "/alerts/integrations/new",
        f"/alerts/integrations/{integration.pk}/edit",
        f"/alerts/integrations/{integration.pk}/rotate-key",
        f"/alerts/integrations/{integration.pk}/delete",
    ]
    for path in paths:
        for method in (client.get, client.post):
            response = method(path)
            assert response.status_code == 302 and response["Location"].startswith("/sign-in"), path
    make_user("rita", "responder")
    client.login(username="rita", password=PASSWORD)
    for path in paths:
        assert client.get(path).status_code == 403, path
        assert client.post(path, {"overlap": "0", "name": "Taken"}).status_code == 403, path
    integration.refresh_from_db()
    assert integration.key_digest == key_digest(key) and integration.name != "Taken"
    assert "Manage integrations" not in client.get("/alerts/").content.decode()


def test_the_alerts_page_and_the_service_page_link_admins_to_the_integrations(admin: Client) -> None:
    integration, _key = make_integration(service=make_service("pay"), kind="generic")
    alerts = admin.get("/alerts/").content.decode()
    assert 'href="/alerts/integrations/"' in alerts
    assert f"/alerts/integrations/?service=pay#integration-{integration.pk}" in alerts
    assert 'href="/alerts/integrations/?service=pay"' in admin.get("/catalogue/services/pay/").content.decode()


def test_label_route_lines_read_back_as_they_were_written() -> None:
    lines = ["severity=critical: P1", "instance=db-1:9100, env=prod: P2 declare no-page", "team=web: no-page"]
    routes = [LabelRoute(**parse_route(line)) for line in lines]
    assert routes[1].matchers == {"instance": "db-1:9100", "env": "prod"}
    assert routes_text(routes) == "\n".join(lines)

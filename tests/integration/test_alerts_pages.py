"""Alert pages: login required; open groups per service; acknowledge, resolve, declare and link from the web."""

from __future__ import annotations

import json

import pytest

from tests.factories import PASSWORD, make_incident, make_integration, make_service, make_user
from watchkeeper.alerts.models import AlertGroup

pytestmark = pytest.mark.django_db


def fire(client, key: str, dedup_key: str, summary: str) -> AlertGroup:
    body = {"summary": summary, "dedup_key": dedup_key}
    client.post(f"/alerts/generic/{key}", json.dumps(body), content_type="application/json")
    return AlertGroup.objects.get(alerts__dedup_key=dedup_key)


def test_alert_pages_need_a_login_and_act_through_the_services(client) -> None:
    service = make_service("pay-api", name="Pay API")
    _integration, key = make_integration(service=service, kind="generic", name="Cron")
    group = fire(client, key, "backup", "Nightly backup failed")
    assert client.get("/alerts/").status_code == 302, "login required"
    assert client.get(f"/alerts/groups/{group.pk}").status_code == 302
    make_user("oncall1")
    client.login(username="oncall1", password=PASSWORD)
    page = client.get("/alerts/").content.decode()
    assert "Pay API" in page and "Nightly backup failed" in page and "Cron" in page
    detail = client.get(f"/alerts/groups/{group.pk}").content.decode()
    assert "Acknowledge" in detail and "Declare an incident" in detail
    assert client.post(f"/alerts/groups/{group.pk}/ack").status_code == 302
    group.refresh_from_db()
    assert group.status == "acknowledged" and group.acknowledged_by.username == "oncall1"
    assert "Acknowledged by oncall1 (web)" in client.get(f"/alerts/groups/{group.pk}").content.decode()
    declared = client.post(f"/alerts/groups/{group.pk}/declare", {"take_lead": "yes"})
    group.refresh_from_db()
    assert declared.status_code == 302 and declared["Location"] == f"/incidents/{group.incident.reference}/"
    assert group.incident.incident_lead.username == "oncall1"
    incident_page = client.get(f"/incidents/{group.incident.reference}/").content.decode()
    assert "Nightly backup failed" in incident_page and f"/alerts/groups/{group.pk}" in incident_page
    assert client.post(f"/alerts/groups/{group.pk}/resolve").status_code == 302
    group.refresh_from_db()
    assert group.status == "resolved"
    assert "No open alert groups" in client.get("/alerts/").content.decode()
    assert "Nightly backup failed" in client.get("/alerts/?status=resolved").content.decode()


def test_link_to_an_open_incident_and_viewers_cannot_act(client) -> None:
    service = make_service("pay-api")
    _integration, key = make_integration(service=service, kind="generic")
    group = fire(client, key, "disk", "Disk full")
    incident = make_incident(service=service, title="Payments slow")
    make_user("oncall2")
    client.login(username="oncall2", password=PASSWORD)
    assert incident.reference in client.get(f"/alerts/groups/{group.pk}").content.decode()
    client.post(f"/alerts/groups/{group.pk}/link", {"incident": incident.reference})
    group.refresh_from_db()
    assert group.incident == incident
    make_user("watcher", "viewer")
    client.login(username="watcher", password=PASSWORD)
    client.post(f"/alerts/groups/{group.pk}/ack")
    group.refresh_from_db()
    assert group.status == "firing", "viewers read alert groups but cannot act on them"

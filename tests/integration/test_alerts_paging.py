"""A new alert group pages the integration's policy, once; a storm is one page that says so; acknowledging and
resolving carry over between groups and pages."""

from __future__ import annotations

import json

import pytest

from tests.factories import make_integration, make_policy, make_user
from watchkeeper.accounts.services import create_token
from watchkeeper.alerts.models import AlertGroup, LabelRoute
from watchkeeper.alerts.services import integrations
from watchkeeper.oncall import services as oncall
from watchkeeper.oncall.models import Page, PageStatus

pytestmark = pytest.mark.django_db


def pd(key: str, dedup_key: str, action: str = "trigger", summary: str = "Checkout errors") -> dict[str, object]:
    body: dict[str, object] = {"routing_key": key, "event_action": action, "dedup_key": dedup_key}
    if action == "trigger":
        body["payload"] = {"summary": summary, "source": "web-1", "severity": "critical"}
    return body


def send(client, body: dict[str, object]):
    response = client.post("/v2/enqueue", json.dumps(body), content_type="application/json")
    assert response.status_code == 202, response.content
    return response.json()


@pytest.fixture
def paged():
    make_user("carol")
    policy = make_policy([{"ack_timeout_minutes": 5, "targets": [{"user": "carol"}]}])
    return make_integration(kind="pagerduty", policy=policy)


def test_one_page_per_group_whatever_is_resent_and_the_acknowledger_hears_of_new_alerts(client, paged) -> None:
    integration, key = paged
    # Every open alert of this integration in one group, so a second alert joins the first one's group.
    integration = integrations.update_integration(integration.created_by, integration, grouping="single")
    for _ in range(5):
        send(client, pd(key, "checkout"))
    group = AlertGroup.objects.get()
    [page] = Page.objects.all()
    assert page.policy == integration.policy and page.summary == "Checkout errors"
    dave = make_user("dave")
    token = create_token("dave")
    listed = client.get("/api/v1/alert-groups", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert listed[0]["pages"] == [page.pk]
    client.post(f"/api/v1/alert-groups/{group.pk}/ack", HTTP_AUTHORIZATION=f"Bearer {token}")
    page.refresh_from_db()
    assert page.status == PageStatus.ACKNOWLEDGED and page.acknowledged_by == dave, "acking the group acks its page"

    send(client, pd(key, "payments", summary="Payments down too"))
    told = Page.objects.exclude(pk=page.pk).get()
    assert list(told.users.all()) == [dave] and "Payments down too" in told.summary

    send(client, pd(key, "checkout", "resolve"))
    send(client, pd(key, "payments", "resolve"))
    group.refresh_from_db()
    assert group.status == "resolved"
    assert set(Page.objects.values_list("status", flat=True)) == {PageStatus.RESOLVED}


def test_acknowledging_the_page_acknowledges_the_group(client, paged) -> None:
    _integration, key = paged
    send(client, pd(key, "disk"))
    page = Page.objects.get()
    carol = make_user("carol2")
    oncall.acknowledge_page(page, user=carol, via="sms")
    group = AlertGroup.objects.get()
    assert group.status == "acknowledged" and group.acknowledged_by == carol
    oncall.resolve_page(page, actor=carol)
    group.refresh_from_db()
    assert group.status == "resolved"
    send(client, pd(key, "disk"))
    assert AlertGroup.objects.count() == 2 and Page.objects.count() == 2, "the next trigger is a new group and page"


def test_a_storm_is_one_page_that_says_so(client, paged, settings) -> None:
    settings.ALERTS_STORM_GROUPS_PER_MINUTE = 3
    _integration, key = paged
    for n in range(20):
        send(client, pd(key, f"host-{n}", summary=f"host-{n} down"))
    assert AlertGroup.objects.count() == 20
    pages = list(Page.objects.order_by("id"))
    assert len(pages) == 4, [p.summary for p in pages]
    storm = pages[-1]
    assert "storm" in storm.summary and "more than 3 new alert groups in a minute" in storm.summary
    assert AlertGroup.objects.filter(storm=True).count() == 17
    for n in range(20):
        send(client, pd(key, f"host-{n}", "resolve"))
    storm.refresh_from_db()
    assert storm.status == PageStatus.RESOLVED


def test_a_label_route_can_say_do_not_page(client, paged) -> None:
    integration, key = paged
    LabelRoute.objects.create(integration=integration, matchers={"severity": "info"}, page=False)
    body = pd(key, "noise")
    body["payload"]["severity"] = "info"  # type: ignore[index]
    send(client, body)
    assert AlertGroup.objects.count() == 1 and not Page.objects.exists()

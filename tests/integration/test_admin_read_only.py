"""The Django admin shows the records but cannot change them: every change goes through the services."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import User
from django.db.models import Model
from django.test import Client

from tests.factories import make_component, make_incident, make_service, make_user
from tests.fakes.slack_web import FakeSlackWeb
from tests.integration.test_statuspage_publish import run_tasks
from watchkeeper.accounts.models import ApiToken
from watchkeeper.accounts.services import create_token
from watchkeeper.catalogue import services as catalogue
from watchkeeper.catalogue.models import ClosureDate, Component, PriorityOverride, Service, Team
from watchkeeper.notifications import services as notifications
from watchkeeper.notifications.models import Delivery as NotificationDelivery
from watchkeeper.notifications.models import Route
from watchkeeper.slackapp.models import ChannelPolicy, IncidentChannel, SlackUser
from watchkeeper.slackapp.services import policies
from watchkeeper.statuspage import services as statuspage
from watchkeeper.statuspage.models import StatusPeriod, Subscriber, SubscriberMessage
from watchkeeper.statuspage.services import subscribers

pytestmark = pytest.mark.django_db

MODELS: list[type[Model]] = [
    Team,
    Service,
    Component,
    PriorityOverride,
    ClosureDate,
    Route,
    StatusPeriod,
    Subscriber,
    NotificationDelivery,
    SubscriberMessage,
    ChannelPolicy,
    IncidentChannel,
    SlackUser,
    ApiToken,
]


@pytest.fixture
def superuser_client() -> Client:
    # A superuser holds every permission Django knows, so only the admin classes themselves can refuse.
    root = User.objects.create_superuser("root", "root@example.gov.uk", "not-used-here")
    client = Client()
    client.force_login(root)
    return client


@pytest.fixture
def rows(slack: FakeSlackWeb) -> None:
    """At least one row of each model, each made the way the app makes it."""
    admin = make_user("lead", "admin")
    slack.add_user("ULEAD", admin.email)  # invited to the channel, so matched and remembered as a SlackUser
    create_token("lead", name="deploys")
    service = make_service("claims", name="Claims")
    component = make_component(service, "api", name="Claims API")
    catalogue.set_priority_override(service, "P2", respond_kind="elapsed", respond_amount=30)
    catalogue.add_closure_date(service=service, date=date(2026, 12, 24), reason="Away day")
    policies.set_channel_policy(service, create_channels=True, invite="U024BE7LH")
    channel = notifications.create_channel(admin, name="team", kind="email", target="claims@example.gov.uk")
    notifications.create_route(admin, channel=channel)
    subscriber = subscribers.sign_up("reader@example.com", components=None, ip=None)
    subscribers.confirm(subscribers.confirm_token(subscriber))
    incident = make_incident(admin, service, title="Claims failing")
    statuspage.publish_incident(
        admin,
        incident,
        name="Claims unavailable",
        body="We are looking into it",
        component_statuses={component: "major_outage"},
    )
    run_tasks()  # the fan-out that makes the subscriber's delivery, and the incident's Slack channel


def _url(model: type[Model], view: str, pk: object = None) -> str:
    base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    return base + {"changelist": "", "add": "add/", "change": f"{pk}/change/", "delete": f"{pk}/delete/"}[view]


@pytest.mark.usefixtures("rows")
@pytest.mark.parametrize("model", MODELS, ids=lambda m: f"{m._meta.app_label}.{m._meta.model_name}")
def test_the_admin_lists_and_shows_but_never_saves(superuser_client: Client, model: type[Model]) -> None:
    row = model._default_manager.first()
    assert row is not None, "the fixture should have made a row"
    before = {f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields}

    listing = superuser_client.get(_url(model, "changelist"))
    assert listing.status_code == 200
    assert f"{row.pk}/change/" in listing.content.decode()

    shown = superuser_client.get(_url(model, "change", row.pk))
    assert shown.status_code == 200
    assert 'name="_save"' not in shown.content.decode()

    assert superuser_client.post(_url(model, "change", row.pk), {"reason": "edited"}).status_code == 403
    assert superuser_client.get(_url(model, "add")).status_code == 403
    assert superuser_client.post(_url(model, "delete", row.pk), {"post": "yes"}).status_code == 403

    row.refresh_from_db()
    assert {f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields} == before

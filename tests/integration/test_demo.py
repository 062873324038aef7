"""The demo shows every GDS step: an open P2, a resolved and reviewed P3, a maintenance and a restricted incident."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client

from watchkeeper.catalogue.models import Component, Service, Team
from watchkeeper.cli.demo import load_demo
from watchkeeper.incidents.models import EntryKind, Incident
from watchkeeper.incidents.visibility import visible_incidents
from watchkeeper.notifications.models import Delivery
from watchkeeper.reviews import queries as reviews
from watchkeeper.reviews.models import Action, Report, Review
from watchkeeper.statuspage.models import PublicIncident
from watchkeeper.statuspage.services import current_status

pytestmark = pytest.mark.django_db
# A Wednesday afternoon; the demo is told relative to whatever now is.
NOW = datetime(2026, 6, 10, 13, 0, tzinfo=UTC)


@pytest.fixture
def demo(settings: Any, tmp_path: Path) -> str:
    settings.VAR_DIR = tmp_path
    with time_machine.travel(NOW, tick=False):
        return load_demo()


def incident(title_start: str) -> Incident:
    return Incident.objects.get(title__startswith=title_start)


def test_the_open_p2_has_its_team_notes_updates_live_clocks_and_a_public_incident(demo: str) -> None:
    p2 = incident("Card payments failing")
    assert (p2.priority, p2.status, p2.restricted) == ("P2", "identified", False)
    assert p2.reported_at == NOW - timedelta(minutes=82)
    assert (p2.incident_lead.username, p2.comms_lead.username) == ("sam", "priya")  # type: ignore[union-attr]
    assert list(p2.responders.filter(left_at__isnull=True).values_list("user__username", flat=True)) == ["tom"]
    assert p2.response_met_at is not None and p2.response_met_at <= p2.respond_by
    kinds = list(p2.timeline.values_list("kind", flat=True))
    assert kinds.count(EntryKind.NOTE) >= 1 and kinds.count(EntryKind.DECISION) == 1
    updates = p2.timeline.filter(kind=EntryKind.UPDATE).order_by("at")
    # Two stakeholder updates, and the two status page posts that also count as updates on the timeline.
    vias = [entry.data.get("via") for entry in updates]
    assert (vias.count(None), vias.count("status_page")) == (2, 2)
    # The clock runs: the next update is due two hours after the last, still ahead of now.
    assert p2.next_update_due == updates.last().at + timedelta(hours=2)  # type: ignore[union-attr]
    assert NOW < p2.next_update_due < NOW + timedelta(hours=2)
    public = PublicIncident.objects.get(incident=p2)
    assert (public.status, public.updates.count()) == ("identified", 2)
    card_payments = Component.objects.get(slug="card-payments")
    assert current_status(card_payments) == "degraded_performance"


def test_the_resolved_p3_has_report_review_actions_and_a_register_row(demo: str) -> None:
    p3 = incident("Text messages delayed")
    assert (p3.priority, p3.status) == ("P3", "resolved")
    assert p3.resolved_at is not None and p3.resolved_at - p3.reported_at == timedelta(hours=2, minutes=30)
    assert NOW - p3.resolved_at >= timedelta(days=3)
    report = Report.objects.get(incident=p3)
    assert set(report.sections) == {"overview", "user_impact", "services_affected"} and report.public_text
    review = Review.objects.get(incident=p3)
    assert review.is_recorded and review.root_cause_category == "third_party" and review.held_at < NOW
    owners = sorted(Action.objects.filter(incident=p3).values_list("owner__username", flat=True))
    assert owners == ["priya", "tom"]
    assert p3 in reviews.whole_register()


def test_a_maintenance_is_scheduled_for_tomorrow(demo: str) -> None:
    window = PublicIncident.objects.get(kind=PublicIncident.Kind.MAINTENANCE)
    assert window.status == "scheduled"
    assert window.scheduled_for is not None and NOW < window.scheduled_for < NOW + timedelta(days=2)
    assert list(window.components.values_list("slug", flat=True)) == ["letters"]


def test_the_security_incident_is_seen_only_by_security_and_admins(demo: str) -> None:
    security = incident("Repeated sign-in attempts")
    assert security.restricted and security.type == "security_incident"
    seen_by = {u.username for u in User.objects.all() if visible_incidents(u).filter(pk=security.pk).exists()}
    assert seen_by == {"admin", "jo"}
    assert not PublicIncident.objects.filter(incident=security).exists()


def test_the_delivery_log_has_entries(demo: str) -> None:
    assert Delivery.objects.filter(incident=incident("Card payments failing")).exists()
    assert not Delivery.objects.filter(incident=incident("Repeated sign-in attempts"), audience="wider").exists()


def test_twice_is_the_same_as_once(demo: str, settings: Any) -> None:
    counts = [m.objects.count() for m in (Incident, User, PublicIncident, Delivery, Action, Team)]
    again = load_demo()
    assert "already loaded" in again
    assert [m.objects.count() for m in (Incident, User, PublicIncident, Delivery, Action, Team)] == counts
    assert demo.split("with password '")[1][:16] in again


def test_empty_loads_only_teams_services_and_the_admin(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path
    message = load_demo(empty=True)
    assert "Demo data loaded" in message and "First open" not in message
    assert Service.objects.count() == 3 and Team.objects.count() == 3
    assert list(User.objects.values_list("username", flat=True)) == ["admin"]
    assert not Incident.objects.exists() and not PublicIncident.objects.exists()
    # The story can still be added later, and it is then added once.
    assert "First open" in load_demo()
    assert Incident.objects.count() == 3


def test_the_signed_in_dashboard_shows_what_to_click_first(demo: str, client: Client) -> None:
    client.force_login(User.objects.get(username="admin"))
    with time_machine.travel(NOW, tick=False):
        page = client.get("/").content.decode()
    assert "Card payments failing for some users" in page
    assert "Text messages delayed by up to 40 minutes" in page
    assert "There are no open incidents" not in page and "No incidents have been resolved yet" not in page
    client.force_login(User.objects.get(username="vic"))
    assert "Repeated sign-in attempts" not in client.get("/").content.decode()

"""The incident web pages through Django's test client on the real database: every page, every form's
success and error paths, optimistic locking, viewers, and that a restricted incident stays invisible."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client

from tests.factories import PASSWORD, make_incident, make_service, make_user
from watchkeeper.catalogue.models import Service
from watchkeeper.incidents import services
from watchkeeper.incidents.models import Incident, TimelineEntry
from watchkeeper.reviews.services import waive_review

pytestmark = pytest.mark.django_db

# Monday 30 November 2026, 10:00 GMT: London wall time equals UTC, inside office hours.
MONDAY_10AM = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
# Every address under /incidents/<reference>/ that takes a form.
ACTIONS = [
    "updates",
    "notes",
    "status",
    "priority",
    "lead",
    "comms-lead",
    "technical-lead",
    "join",
    "leave",
    "checklist",
    "reopen",
    "close",
]


def text(response: Any) -> str:
    """The page's words without tags or runs of spaces, as a person reads them."""
    body = response.content.decode()
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


def signed_in(client: Client, username: str, *groups: str) -> Client:
    make_user(username, *groups)
    client.login(username=username, password=PASSWORD)
    return client


def fresh(incident: Incident) -> Incident:
    return Incident.objects.get(pk=incident.pk)


def post(client: Client, incident: Incident, action: str, prefix: str, **fields: Any) -> Any:
    data = {f"{prefix}-{name}": value for name, value in fields.items()}
    data.setdefault(f"{prefix}-version", fresh(incident).version)
    return client.post(f"/incidents/{incident.reference}/{action}", data)


@pytest.fixture
def service() -> Service:
    return make_service("pay", name="Pay")


@pytest.fixture
def ada_user() -> User:
    return make_user("ada", "responder")


@pytest.fixture
def ada(client: Client, ada_user: User) -> Client:
    client.login(username="ada", password=PASSWORD)
    return client


@pytest.fixture
def incident(ada_user: User, service: Service) -> Incident:
    return make_incident(ada_user, service, priority="P2", title="Card payments failing")


# Sign in and the dashboard ------------------------------------------------------------------------------------------


def test_every_page_needs_a_login(client: Client, service: Service) -> None:
    incident = make_incident(make_user("ada"), service)
    for url in ["/", "/incidents/declare", f"/incidents/{incident.reference}/", "/incidents/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/sign-in")


def test_dashboard_empty(ada: Client) -> None:
    page = text(ada.get("/"))
    assert "Open incidents (0)" in page
    assert "There are no open incidents." in page
    assert "No incidents have been resolved yet." in page
    assert "Declare an incident" in page


def test_dashboard_lists_open_incidents_most_urgent_first(ada: Client, service: Service, ada_user: User) -> None:
    critical = make_incident(ada_user, service, priority="P1", title="Site down", take_lead=True)
    minor = make_incident(ada_user, service, priority="P4", title="Typo on the start page")
    response = ada.get("/")
    page = text(response)
    # Among incidents on time, one with nobody leading it needs a person before a led one of higher priority.
    assert page.index("Typo on the start page") < page.index("Site down")
    assert f'href="/incidents/{critical.reference}/"' in response.content.decode()
    row = page[page.index(critical.reference) :]
    for expected in ["Site down", "P1", "Investigating", "Pay", "ada", "Met on time"]:
        assert expected in row
    assert minor.reference in page


def test_dashboard_puts_an_overdue_unled_p1_above_a_led_on_time_p1(
    ada: Client, service: Service, ada_user: User
) -> None:
    with time_machine.travel(MONDAY_10AM, tick=False):
        forgotten = make_incident(ada_user, service, priority="P1", title="Forgotten outage")
    with time_machine.travel(MONDAY_10AM + timedelta(minutes=50), tick=False):
        make_incident(ada_user, service, priority="P1", title="Handled outage", take_lead=True)
        make_incident(ada_user, service, priority="P3", title="Slow search")
        page = text(ada.get("/"))
        assert page.index("Forgotten outage") < page.index("Slow search") < page.index("Handled outage")
        assert forgotten.reference in page


def test_dashboard_clocks_read_relative_with_overdue_in_words(ada: Client, service: Service, ada_user: User) -> None:
    with time_machine.travel(MONDAY_10AM, tick=False):
        make_incident(ada_user, service, priority="P1")
    with time_machine.travel(MONDAY_10AM + timedelta(minutes=8), tick=False):
        page = text(ada.get("/"))
        assert "Due in 12 minutes" in page  # respond by 10:20
        assert "Due in 52 minutes" in page  # first update by 11:00
        assert "overdue" not in page.lower()
    with time_machine.travel(MONDAY_10AM + timedelta(minutes=25), tick=False):
        page = text(ada.get("/"))
        assert "Response overdue Overdue by 5 minutes" in page
        assert "Update overdue" not in page
    with time_machine.travel(MONDAY_10AM + timedelta(hours=1, minutes=5), tick=False):
        page = text(ada.get("/"))
        assert "Update overdue Overdue by 5 minutes" in page


def test_dashboard_filters_by_service_priority_and_status(ada: Client, service: Service, ada_user: User) -> None:
    other = make_service("apply", name="Apply")
    make_incident(ada_user, service, priority="P1", title="Pay is down")
    applying = make_incident(ada_user, other, priority="P3", title="Apply is slow")
    services.resolve(ada_user, make_incident(ada_user, other, priority="P2", title="Apply was down"), "Restarted")
    services.change_status(ada_user, applying, "identified", "")

    assert "Pay is down" not in text(ada.get("/?service=apply"))
    page = text(ada.get("/?service=apply&priority=P3"))
    assert "Open incidents (1)" in page and "Apply is slow" in page and "Apply was down" not in page
    page = text(ada.get("/?status=identified"))
    assert "Open incidents (1)" in page and "Pay is down" not in page
    page = text(ada.get("/?status=resolved"))
    assert "Open incidents (0)" in page and "Resolved and closed incidents (1)" in page and "Apply was down" in page
    assert "No open incidents match these filters." in page

    bad = ada.get("/?priority=P9")
    assert "govuk-error-summary" in bad.content.decode()
    assert "Select a priority from the list" in text(bad)
    assert "Open incidents (2)" in text(bad)  # the bad filter is ignored, not applied


def test_finished_incidents_are_paged_with_filters_kept(ada: Client, service: Service, ada_user: User) -> None:
    for number in range(21):
        services.resolve(ada_user, make_incident(ada_user, service, title=f"Old problem {number}"), "Fixed")
    first = ada.get("/?service=pay")
    assert "Resolved and closed incidents (21)" in text(first)
    assert "govuk-pagination" in first.content.decode()
    assert "?service=pay&amp;page=2#finished" in first.content.decode()
    second = text(ada.get("/?service=pay&page=2"))
    assert "Old problem 0 " in second and "Old problem 20" not in second


# Declaring ----------------------------------------------------------------------------------------------------------


def test_declare_starts_by_asking_which_service(ada: Client, service: Service) -> None:
    page = text(ada.get("/incidents/declare"))
    assert "Which service is affected?" in page and "Pay" in page
    missing = ada.get("/incidents/declare?service=")
    assert "Select the service that is affected" in text(missing)
    assert 'href="#id_service"' in missing.content.decode()
    assert "Select a service from the list" in text(ada.get("/incidents/declare?service=nope"))


@time_machine.travel(datetime(2026, 7, 1, 9, 0, tzinfo=UTC), tick=False)
def test_declare_form_defaults_to_now_in_the_services_local_time(ada: Client, service: Service) -> None:
    response = ada.get("/incidents/declare?service=pay")
    page = text(response)
    assert "No incidents are open on Pay." in page
    assert 'value="2026-07-01 10:00"' in response.content.decode()  # 09:00 UTC is 10:00 BST
    assert "Declare incident" in page
    for hint in ["For example, complete outage, or ongoing unauthorised access", "Respond within 20 minutes"]:
        assert hint in page


def test_declare_shows_who_is_already_on_it_first(ada: Client, incident: Incident) -> None:
    response = ada.get("/incidents/declare?service=pay")
    page = text(response)
    assert "Is anyone already on this?" in page
    assert page.index(incident.reference) < page.index("Declare a new incident anyway")
    assert f'action="/incidents/{incident.reference}/join"' in response.content.decode()


@time_machine.travel(datetime(2026, 7, 1, 9, 0, tzinfo=UTC), tick=False)
def test_declaring_creates_the_incident_and_takes_the_lead(ada: Client, service: Service) -> None:
    form = {
        "title": "Card payments failing",
        "description": "Every card is declined",
        "service": "pay",
        "type": "technical_failure",
        "reported_at": "2026-07-01 09:45",
        "priority": "P1",
        "reporter": "Helpdesk",
        "take_lead": "on",
        "idempotency_key": "key-1",
        "checked_service": "pay",
    }
    response = ada.post("/incidents/declare", form)
    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/incidents/{incident.reference}/"
    assert incident.reported_at == datetime(2026, 7, 1, 8, 45, tzinfo=UTC)  # 09:45 BST
    assert (incident.priority, incident.reporter, incident.incident_lead.username) == ("P1", "Helpdesk", "ada")
    assert f"{incident.reference} declared" in text(ada.get(response["Location"]))

    # The same form submitted twice (a double click, a retry) declares one incident.
    assert ada.post("/incidents/declare", form)["Location"] == response["Location"]
    assert Incident.objects.count() == 1


def test_not_sure_of_the_priority_starts_at_p3_unprioritised(ada: Client, service: Service) -> None:
    form = {"title": "Odd errors", "service": "pay", "type": "other", "priority": "not-sure", "idempotency_key": "k"}
    form |= {"reported_at": "2026-01-05 09:00", "checked_service": "pay"}
    assert ada.post("/incidents/declare", form).status_code == 302
    incident = Incident.objects.get()
    assert incident.priority == "P3"
    assert not incident.checklist.filter(step="prioritised").exists()


@pytest.mark.parametrize(
    ("changes", "message", "anchor"),
    [
        ({"title": ""}, "Enter what is happening", "id_title"),
        ({"service": ""}, "Select the service that is affected", "id_service"),
        ({"type": ""}, "Select the type of incident", "id_type"),
        ({"priority": "P9"}, "Select a suggested priority, or not sure yet", "id_priority"),
        ({"reported_at": "yesterday"}, "Enter the time as YYYY-MM-DD HH:MM", "id_reported_at"),
        ({"reported_at": "2026-03-29 01:30"}, "the clocks went forward", "id_reported_at"),
        ({"reported_at": "2099-01-01 09:00"}, "must be now or in the past", "id_reported_at"),
    ],
)
def test_bad_declarations_show_every_error_and_create_nothing(
    ada: Client, service: Service, changes: dict[str, str], message: str, anchor: str
) -> None:
    form = {"title": "Down", "service": "pay", "type": "other", "priority": "P2", "reported_at": "2026-01-05 09:00"}
    form |= {"idempotency_key": "k", "checked_service": "pay", **changes}
    response = ada.post("/incidents/declare", form)
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page and message in text(response)
    assert f'href="#{anchor}"' in page
    assert f'id="{anchor}"' in page
    assert "<title>Error:" in page
    assert not Incident.objects.exists()


def test_switching_to_a_service_with_open_incidents_asks_to_check_them(ada: Client, incident: Incident) -> None:
    make_service("apply", name="Apply")
    form = {"title": "Down", "service": "pay", "type": "other", "priority": "P2", "reported_at": "2026-01-05 09:00"}
    response = ada.post("/incidents/declare", form | {"idempotency_key": "k", "checked_service": "apply"})
    assert "There are open incidents on Pay: check them before declaring" in text(response)
    assert incident.reference in text(response)
    assert Incident.objects.count() == 1


def test_viewers_cannot_declare(client: Client, service: Service) -> None:
    signed_in(client, "vic", "viewer")
    assert client.get("/incidents/declare").status_code == 403
    assert "You cannot declare incidents" in text(client.get("/incidents/declare?service=pay"))
    form = {"title": "Down", "service": "pay", "type": "other", "priority": "P2", "reported_at": "2026-01-05 09:00"}
    assert client.post("/incidents/declare", form).status_code == 403
    assert not Incident.objects.exists()


# The incident page and its forms --------------------------------------------------------------------------------------


def test_incident_page_shows_facts_roles_checklist_and_timeline(
    ada: Client, incident: Incident, ada_user: User
) -> None:
    services.post_update(ada_user, incident, "We are looking into it", public=True)
    page = text(ada.get(f"/incidents/{incident.reference}/"))
    for expected in [
        "Card payments failing",
        "P2 Major: respond within 1 hour",
        "Respond by",
        "Next update due",
        "Incident lead No lead yet",
        "Step 1: Incident lead established Not done Required",
        "Step 3: Incident prioritised Done",
        "Step 6: Wider audience told Not done Required",
        "Update Public We are looking into it",
        "Post an update",
        "Change status",
        "I'll lead this incident",
    ]:
        assert expected in page, expected
    assert page.index("We are looking into it") < page.index("Declared as P2")  # newest first


@pytest.mark.parametrize(
    ("action", "prefix", "fields", "banner", "check"),
    [
        ("updates", "update", {"body": "Fix deploying"}, "Update posted", "Fix deploying"),
        ("notes", "note", {"kind": "decision", "body": "Roll back"}, "Decision added", "Roll back"),
        ("status", "status", {"status": "identified", "note": "Bad deploy"}, "Status changed to identified", None),
        ("priority", "priority", {"priority": "P1", "reason": "All users"}, "Priority set to P1", None),
        ("lead", "lead", {"username": "ada"}, "You are now the incident lead", None),
        ("comms-lead", "comms", {"username": "bob"}, "bob is now the comms lead", None),
        ("technical-lead", "technical", {"username": "bob"}, "bob is now the technical lead", None),
        ("join", "team", {}, "You joined the response team", None),
        ("checklist", "tick", {"step": "team_informed", "note": "Told in Slack"}, "Step ticked", None),
    ],
)
def test_each_action_succeeds_and_redirects_with_a_banner(
    ada: Client, incident: Incident, action: str, prefix: str, fields: dict[str, str], banner: str, check: str | None
) -> None:
    make_user("bob", "responder")
    response = post(ada, incident, action, prefix, **fields)
    assert response.status_code == 302, text(response)
    # Back to the section of the page the form was in, not the top.
    sections = {"updates": "act", "notes": "timeline", "status": "act", "priority": "priority"}
    sections["checklist"] = "checklist"
    assert response["Location"] == f"/incidents/{incident.reference}/#{sections.get(action, 'roles')}"
    page = ada.get(response["Location"]).content.decode()
    assert "govuk-notification-banner--success" in page
    assert banner in page
    if check:
        assert check in text(ada.get(response["Location"]))


@pytest.mark.parametrize(
    ("action", "prefix", "fields", "message", "anchor"),
    [
        ("updates", "update", {"body": " "}, "Enter the update", "id_update-body"),
        ("notes", "note", {"kind": "note", "body": ""}, "Enter the text", "id_note-body"),
        ("notes", "note", {"kind": "gossip", "body": "x"}, "Select note, action or decision", "id_note-kind"),
        ("status", "status", {"status": "closed"}, "Select one of the statuses allowed from here", "id_status-status"),
        ("status", "status", {"status": "resolved", "summary": ""}, "Say how the incident was resolved", None),
        ("priority", "priority", {"priority": "P1", "reason": ""}, "Say why the priority is changing", None),
        ("lead", "lead", {"username": "nobody"}, "Select the incident lead from the list", "id_lead-username"),
        ("lead", "lead", {"username": "vic"}, "only responders, security and admins", "id_lead-username"),
        ("lead", "lead", {"username": ""}, "Select the person who will be the incident lead", "id_lead-username"),
        ("checklist", "tick", {"step": ""}, "Select the step that is done", "id_tick-step"),
    ],
)
def test_each_action_error_shows_the_govuk_summary_and_changes_nothing(
    ada: Client, incident: Incident, action: str, prefix: str, fields: dict[str, str], message: str, anchor: str | None
) -> None:
    make_user("vic", "viewer")
    before = (fresh(incident).version, TimelineEntry.objects.count())
    response = post(ada, incident, action, prefix, **fields)
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page and message in text(response)
    assert "<title>Error:" in page
    if anchor:
        assert f'href="#{anchor}"' in page and f'id="{anchor}"' in page
    assert (fresh(incident).version, TimelineEntry.objects.count()) == before


def test_resolve_reopen_and_close(client: Client, ada: Client, incident: Incident, ada_user: User) -> None:
    response = post(ada, incident, "status", "status", status="resolved", summary="Rolled back the deploy")
    assert response.status_code == 302
    page = text(ada.get(f"/incidents/{incident.reference}/"))
    assert "resolved" in page and "Rolled back the deploy" in page and "Nothing due" in page
    assert "Reopen the incident" in page and "Post an update" not in page and "Close the incident" not in page
    assert post(ada, incident, "close", "close").status_code == 403  # only admins close

    assert "Say why the incident is being reopened" in text(post(ada, incident, "reopen", "reopen", reason=""))
    assert post(ada, incident, "reopen", "reopen", reason="It came back").status_code == 302
    assert fresh(incident).status == "investigating"

    services.resolve(ada_user, fresh(incident), "Fixed for good")
    admin = Client()
    signed_in(admin, "root", "admin")
    refused = post(admin, incident, "close", "close")
    assert "Record the review or have an admin waive it before closing" in text(refused)
    waive_review(User.objects.get(username="root"), fresh(incident), "Duplicate of an incident already reviewed")
    assert post(admin, incident, "close", "close").status_code == 302
    assert fresh(incident).status == "closed"


def test_a_stale_form_is_a_conflict_not_a_lost_change(ada: Client, incident: Incident, ada_user: User) -> None:
    stale = fresh(incident).version
    services.change_priority(ada_user, incident, "P1", "Someone else was quicker")
    response = post(ada, incident, "priority", "priority", priority="P3", reason="Looks minor", version=stale)
    assert response.status_code == 200
    assert "was changed by someone else while you were editing" in text(response)
    assert fresh(incident).priority == "P1"
    # The re-shown page carries the latest version, so trying again works.
    assert f'name="priority-version" value="{fresh(incident).version}"' in response.content.decode()
    assert "Looks minor" in text(response)

    missing = post(ada, incident, "updates", "update", body="Hello", version="")
    assert "This form is out of date" in text(missing)


def test_leaving_the_team(ada: Client, incident: Incident) -> None:
    post(ada, incident, "join", "team")
    assert "Leave the response team" in text(ada.get(f"/incidents/{incident.reference}/"))
    assert post(ada, incident, "leave", "team").status_code == 302
    assert not incident.responders.filter(left_at__isnull=True).exists()


def test_viewers_see_no_forms_and_cannot_post(client: Client, incident: Incident) -> None:
    signed_in(client, "vic", "viewer")
    response = client.get(f"/incidents/{incident.reference}/")
    assert response.status_code == 200
    assert 'method="post" action="/incidents/' not in response.content.decode()
    assert "Card payments failing" in text(response)
    for action in ACTIONS:
        assert client.post(f"/incidents/{incident.reference}/{action}", {}).status_code == 403, action
    assert fresh(incident).version == incident.version


def test_getting_an_action_address_goes_back_to_the_incident(ada: Client, incident: Incident) -> None:
    response = ada.get(f"/incidents/{incident.reference}/updates")
    assert response.status_code == 302
    assert response["Location"] == f"/incidents/{incident.reference}/"


# Restricted incidents: an outsider cannot learn they exist -------------------------------------------------------


def test_an_outsider_gets_the_same_404_for_a_restricted_incident_as_for_none(client: Client, service: Service) -> None:
    sec = make_user("sec", "security")
    secret = make_incident(sec, service, type="security_incident", title="Attacker in the admin panel", priority="P1")
    hidden_finished = make_incident(sec, service, restricted=True, title="Leaked spreadsheet")
    services.resolve(sec, hidden_finished, "Contained")
    signed_in(client, "eve", "responder")
    missing = "INC-2026-9999"

    def same_as_missing(method: str, path: str) -> None:
        seen = getattr(client, method)(path.format(ref=secret.reference))
        absent = getattr(client, method)(path.format(ref=missing))
        assert (seen.status_code, absent.status_code) == (404, 404), path
        assert seen.content.decode().replace(secret.reference, "X") == absent.content.decode().replace(missing, "X")

    for suffix in ["", *ACTIONS]:
        same_as_missing("get", "/incidents/{ref}/" + suffix)
        same_as_missing("post", "/incidents/{ref}/" + suffix)
    assert fresh(secret).version == secret.version
    assert not secret.responders.exists()

    for url in ["/", "/?service=pay", "/?priority=P1", "/?status=investigating", "/?status=resolved",
                "/incidents/declare?service=pay"]:  # fmt: skip
        page = text(client.get(url))
        for clue in [secret.reference, secret.title, hidden_finished.reference, hidden_finished.title]:
            assert clue not in page, (url, clue)
        assert "Open incidents (1)" not in page and "incidents (1)" not in page, url
    assert "No incidents are open on Pay." in text(client.get("/incidents/declare?service=pay"))

    # The response team, the security group and admins do see it.
    client.logout()
    client.login(username="sec", password=PASSWORD)
    assert client.get(f"/incidents/{secret.reference}/").status_code == 200
    assert "Open incidents (1)" in text(client.get("/"))

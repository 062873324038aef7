"""Running an incident with the `watchkeeper` console script alone, against the real app over real HTTP."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User

from tests.e2e.conftest import LiveServer
from tests.e2e.test_cli import WATCHKEEPER
from tests.factories import make_incident, make_service, make_user
from watchkeeper.accounts.services import create_token
from watchkeeper.catalogue.models import Service
from watchkeeper.incidents import services as incidents
from watchkeeper.statuspage import services as statuspage

pytestmark = pytest.mark.django_db(transaction=True)
Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def cli(app_server: LiveServer) -> Run:
    """The console script as ada, a responder, pointed at the test server."""
    make_user("ada", "responder")
    make_user("bob", "responder")
    make_service("pay-api")
    token = create_token("ada")

    def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
        settings = {"WATCHKEEPER_URL": app_server.url, "WATCHKEEPER_TOKEN": token, **env}
        return subprocess.run(
            [WATCHKEEPER, *args], capture_output=True, text=True, env={**os.environ, **settings}, timeout=60
        )

    return run


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def refused(result: subprocess.CompletedProcess[str], status: int) -> str:
    """A refusal is one line on stderr, nothing on stdout, and the exit status says whose fault it was."""
    assert result.returncode == status, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("watchkeeper: ")
    return result.stderr


def test_an_incident_from_declaration_to_resolution(cli: Run) -> None:
    declared = ok(cli("declare", "--service", "pay-api", "--title", "Card payments failing", "--priority", "P2"))
    match = re.search(r"INC-\d{4}-\d{4}", declared)
    assert match is not None, declared
    reference = match.group()
    assert declared.startswith(f"Declared {reference}: Card payments failing")
    assert re.search(r"Respond by\s+.+\(due in (59 minutes|1 hour)\)", declared), declared

    assert ok(cli("lead", reference)) == f"{reference}: ada is the incident lead\n"
    assert ok(cli("comms", reference, "--user", "bob")) == f"{reference}: bob is the comms lead\n"
    prioritised = ok(cli("priority", reference, "p1", "--reason", "Every card payment fails"))
    assert prioritised.startswith(f"{reference}: P1; respond by: met on time; next update ")
    assert ok(cli("status", reference, "monitoring", "--note", "Fix deployed")) == f"{reference}: now monitoring\n"
    # Not on the status page yet: a public update is refused, never reported as posted.
    not_public = refused(cli("update", reference, "Payments recovering", "--public"), 1)
    assert f"{reference} is not on the status page, so nothing was posted" in not_public
    assert "POST /api/v1/status/incidents" in not_public
    assert re.match(
        rf"{reference}: update posted; next update .+ \(due in (59 minutes|1 hour)\)",
        ok(cli("update", reference, "Payments recovering")),
    )
    assert (
        ok(cli("note", reference, "Roll back the release", "--kind", "decision"))
        == f"{reference}: added to the timeline\n"
    )
    # Words go last on the line or after a named option, for update, note and resolve alike; never both.
    assert "update posted" in ok(cli("update", reference, "--text", "Still recovering"))
    assert "give the summary once" in refused(cli("resolve", reference), 2)
    assert "give the text once" in refused(cli("update", reference, "A", "--text", "B"), 2)
    assert ok(cli("resolve", reference, "--summary", "Rolled back the release")) == f"{reference}: resolved\n"

    page = ok(cli("show", reference))
    assert page.startswith(f"{reference}: Card payments failing\n")
    for line in [
        r"Priority\s+P1",
        r"Status\s+resolved",
        r"Incident lead\s+ada",
        r"Comms lead\s+bob",
        r"Resolved\s+.+: Rolled back the release",
        r"Next update\s+nothing due",
        r"\[x\] 1\. Incident lead established \(ada\)",
        r"\[x\] 3\. Incident prioritised \(ada\)",
        r"\[ \] 7\. Resolved, with a blameless review",
        r"ada\s+decision\s+Roll back the release",
    ]:
        assert re.search(line, page), (line, page)

    shown = json.loads(ok(cli("show", reference, "--json")))
    assert (shown["status"], shown["priority"], shown["incident_lead"], shown["comms_lead"]) == (
        "resolved",
        "P1",
        "ada",
        "bob",
    )
    # Other apps add notes of their own (the reviews app proposes a review on resolution).
    assert [e["kind"] for e in shown["timeline"] if e["kind"] != "note"] == [
        "declared",
        "role",
        "role",
        "priority",
        "status",
        "update",
        "decision",
        "update",
        "resolved",
    ]
    assert shown["timeline"][5]["public"] is False

    table = ok(cli("list")).splitlines()
    assert re.match(r"REFERENCE\s+PRIORITY\s+STATUS\s+SERVICE\s+LEAD\s+RESPOND BY\s+NEXT UPDATE\s+TITLE$", table[0])
    assert re.match(
        rf"{reference}\s+P1\s+resolved\s+pay-api\s+ada\s+met on time\s+nothing due\s+Card payments failing$", table[1]
    )
    assert [i["reference"] for i in json.loads(ok(cli("list", "--status", "resolved", "--json")))] == [reference]
    assert ok(cli("list", "--status", "open")) == "No incidents match.\n"


def test_the_list_shows_deadlines_as_relative_time(cli: Run) -> None:
    ok(cli("declare", "--service", "pay-api", "--title", "Slow checkout", "--priority", "P1"))
    row = ok(cli("list", "--status", "open", "--service", "pay-api", "--priority", "P1")).splitlines()[1]
    assert re.search(
        r"P1\s+investigating\s+pay-api\s+none yet\s+due in (19|20) minutes\s+due in (59 minutes|1 hour)", row
    ), row


def test_missing_settings_exit_2(cli: Run) -> None:
    assert "set WATCHKEEPER_URL" in refused(cli("list", WATCHKEEPER_URL=""), 2)
    assert "set WATCHKEEPER_TOKEN" in refused(cli("list", WATCHKEEPER_TOKEN=""), 2)
    assert "must start with http" in refused(cli("list", WATCHKEEPER_URL="file:///etc/passwd"), 2)
    assert "--reason" in refused(cli("priority", "INC-2026-0001", "P1"), 2)


def test_what_the_api_refuses_exits_1_with_its_detail(cli: Run) -> None:
    assert "no service with the short name 'nope'" in refused(cli("declare", "--service", "nope", "--title", "x"), 1)
    assert "reported_at: Give the time with a UTC offset" in refused(
        cli("declare", "--service", "pay-api", "--title", "x", "--reported-at", "2026-01-01T09:00:00"), 1
    )
    assert "No incident INC-2026-9999" in refused(cli("show", "INC-2026-9999"), 1)
    assert "refused WATCHKEEPER_TOKEN" in refused(cli("list", WATCHKEEPER_TOKEN="wk_forged"), 1)
    make_user("vic", "viewer")
    incident = make_incident(title="Down", service=make_service("notify"))
    viewer = refused(cli("status", incident.reference, "identified", WATCHKEEPER_TOKEN=create_token("vic")), 1)
    assert "Viewers can read incidents but not change them" in viewer
    assert "unknown priority 'P9'" in refused(cli("priority", incident.reference, "P9", "--reason", "x"), 1)


def test_connection_refused_is_a_clear_message(cli: Run) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    message = refused(cli("list", WATCHKEEPER_URL=closed), 1)
    assert f"cannot reach {closed} (connection refused)" in message


def test_an_outsider_cannot_see_a_restricted_incident(cli: Run) -> None:
    sam = make_user("sam", "security")
    secret = make_incident(sam, service=make_service("idp"), title="Credentials leaked", type="security_incident")
    hidden = refused(cli("show", secret.reference), 1)
    assert hidden == refused(cli("show", "INC-2026-9999"), 1).replace("INC-2026-9999", secret.reference)
    assert secret.reference not in ok(cli("list", "--json"))
    assert ok(cli("list")) == "No incidents match.\n"
    assert secret.reference in ok(cli("show", secret.reference, WATCHKEEPER_TOKEN=create_token("sam")))


def test_a_public_update_goes_on_the_status_page_once_the_incident_is_published_there(
    cli: Run, settings: Any, tmp_path: Path
) -> None:
    settings.STATUSPAGE_SNAPSHOT_DIR = tmp_path / "snapshot"
    ada = User.objects.get(username="ada")
    incident = make_incident(ada, Service.objects.get(slug="pay-api"), title="db01 disk full")
    public = statuspage.publish_incident(ada, incident, name="Card payments are failing", body="We are looking.")
    posted = ok(cli("update", incident.reference, "Payments recovering", "--public"))
    assert posted.startswith(f"{incident.reference}: update posted, and on the status page; next update ")
    bodies = list(public.updates.order_by("pk").values_list("body", flat=True))
    assert bodies == ["We are looking.", "Payments recovering"]

    # Restricted after it was published: only an admin who confirms says more in public.
    incidents.change_type(ada, incident, "security_incident", "Someone got in")
    needs_admin = refused(cli("update", incident.reference, "Still recovering", "--public"), 1)
    assert "needs an admin to confirm it" in needs_admin
    make_user("root", "admin")
    root = create_token("root")
    confirmed = cli("update", incident.reference, "Still recovering", "--public", "--confirm-restricted")
    assert "Only an admin can confirm" in refused(confirmed, 1)
    as_admin = {"WATCHKEEPER_TOKEN": root}
    ok(cli("update", incident.reference, "Still recovering", "--public", "--confirm-restricted", **as_admin))
    assert public.updates.order_by("pk").last().body == "Still recovering"  # type: ignore[union-attr]
    assert public.updates.count() == 3

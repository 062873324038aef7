"""The data protection group reads every breach in the log, but a restricted incident's title only if it can see
the incident: otherwise its row gives the reference, as the README's groups table says."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from openpyxl import load_workbook

from tests.factories import make_incident, make_user
from watchkeeper.accounts.services import create_token
from watchkeeper.breaches import services
from watchkeeper.breaches.queries import WITHHELD_TITLE
from watchkeeper.incidents import services as incidents

pytestmark = pytest.mark.django_db

SECRET = "Attacker exported the claimants table"
OPEN = "Letters sent to the wrong addresses"


@pytest.fixture
def breaches() -> dict[str, Any]:
    lead = make_user("lead")
    restricted = make_incident(lead, type="personal_data_breach", take_lead=True, title=SECRET)
    # Marking an incident as involving personal data restricts it too, so every breach in the log is restricted.
    ordinary = make_incident(lead, take_lead=True, title=OPEN)
    services.open_breach(lead, ordinary)
    ordinary.refresh_from_db()
    assert restricted.restricted and ordinary.restricted
    return {"lead": lead, "restricted": restricted, "ordinary": ordinary}


def every_form_of_the_log(username: str) -> dict[str, str]:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {create_token(username)}"}
    client = Client()
    client.force_login(User.objects.get(username=username))
    sheet = load_workbook(io.BytesIO(Client().get("/api/v1/breaches?format=xlsx", **headers).content)).active
    return {
        "json": Client().get("/api/v1/breaches", **headers).content.decode(),
        "csv": Client().get("/api/v1/breaches?format=csv", **headers).content.decode(),
        "xlsx": repr(list(sheet.values)),
        "page": client.get("/breaches/").content.decode(),
        "page csv": client.get("/breaches/log.csv").content.decode(),
    }


def test_data_protection_reads_restricted_rows_by_reference_only(breaches: dict[str, Any]) -> None:
    make_user("dpo", "data_protection")
    for form, text in every_form_of_the_log("dpo").items():
        assert SECRET not in text, form
        assert breaches["restricted"].reference in text, form
        assert OPEN not in text, form
        assert WITHHELD_TITLE in text, form
    rows = {row["reference"]: row for row in csv.DictReader(io.StringIO(every_form_of_the_log("dpo")["csv"]))}
    assert rows[breaches["restricted"].reference]["title"] == WITHHELD_TITLE
    assert rows[breaches["ordinary"].reference]["title"] == WITHHELD_TITLE
    # The record itself stays whole: the facts the data protection officer keeps are all there.
    assert rows[breaches["ordinary"].reference]["status"].startswith("ICO decision")


def test_security_and_a_data_protection_officer_on_the_team_read_the_title(breaches: dict[str, Any]) -> None:
    make_user("sam", "security")
    dora = make_user("dora", "data_protection", "responder")
    incidents.join(breaches["lead"], breaches["restricted"], dora)
    for username in ("sam", "dora"):
        for form, text in every_form_of_the_log(username).items():
            assert SECRET in text, (username, form)
    # dora is on one incident's team only: the other's title stays withheld from her.
    assert OPEN not in every_form_of_the_log("dora")["json"]
    assert OPEN in every_form_of_the_log("sam")["json"]

"""The breach log as XLSX, from the API and the page, read back with openpyxl."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
import time_machine
from openpyxl import load_workbook

from tests.factories import make_incident, make_user
from watchkeeper.accounts.services import create_token
from watchkeeper.breaches import services
from watchkeeper.breaches.export import XLSX_TYPE
from watchkeeper.breaches.queries import LOG_COLUMNS

pytestmark = pytest.mark.django_db
AWARE = datetime(2026, 3, 27, 10, 0, tzinfo=UTC)


@pytest.fixture
def two_breaches():
    """One reported to the ICO, one not: the log has both (Article 33(5))."""
    with time_machine.travel(AWARE, tick=False):
        lead = make_user("lead")
        unreported = make_incident(lead, type="personal_data_breach", take_lead=True, title="Wrong letters sent")
        reported = make_incident(lead, type="personal_data_breach", take_lead=True, title="Laptop lost")
        services.update_facts(
            lead,
            reported,
            nature='=HYPERLINK("http://evil")',
            people_count=120,
            measures_taken="Locked\x08 accounts",
        )
        services.decide_ico(lead, reported, True, "bank details")
    make_user("dpo", "security")
    return unreported, reported


def read(content: bytes) -> list[dict[str, object]]:
    sheet = load_workbook(io.BytesIO(content)).active
    header, *rows = list(sheet.values)
    assert header == LOG_COLUMNS
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_the_api_gives_the_csv_columns_as_xlsx(client, two_breaches) -> None:
    unreported, reported = two_breaches
    auth = {"HTTP_AUTHORIZATION": f"Bearer {create_token('dpo')}"}
    response = client.get("/api/v1/breaches?format=xlsx", **auth)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == XLSX_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="breach-log.xlsx"'
    rows = {row["reference"]: row for row in read(response.content)}
    assert set(rows) == {unreported.reference, reported.reference}
    assert rows[unreported.reference]["title"] == "Wrong letters sent"
    assert rows[unreported.reference]["report_to_ico"] is None, "undecided is an empty cell"
    assert rows[reported.reference]["report_to_ico"] == "yes"
    assert rows[reported.reference]["people_count"] == 120
    assert rows[reported.reference]["ico_deadline"] == "2026-03-30T10:00:00+00:00"

    csv_rows = list(csv.DictReader(io.StringIO(client.get("/api/v1/breaches?format=csv", **auth).content.decode())))
    by_reference = {row["reference"]: row for row in csv_rows}
    for reference, row in rows.items():
        for column in LOG_COLUMNS:
            if column not in {"nature", "people_count", "measures_taken"}:
                assert (row[column] or "") == by_reference[reference][column], column


@pytest.mark.usefixtures("two_breaches")
def test_a_formula_stays_text_and_control_characters_are_dropped(client) -> None:
    client.force_login(make_user("dpo2", "security"))
    content = client.get("/breaches/log.xlsx").content
    sheet = load_workbook(io.BytesIO(content)).active
    column = LOG_COLUMNS.index("nature") + 1
    cells = [sheet.cell(row=r, column=column) for r in range(2, sheet.max_row + 1)]
    [cell] = [c for c in cells if c.value]
    assert cell.value == '=HYPERLINK("http://evil")' and cell.data_type == "s"
    assert {row["measures_taken"] for row in read(content)} == {None, "Locked accounts"}


@pytest.mark.usefixtures("two_breaches")
def test_the_page_download_is_for_security_and_data_protection_only(client) -> None:
    client.force_login(make_user("dpo3", "security"))
    response = client.get("/breaches/log.xlsx")
    assert response.status_code == 200 and response["Content-Type"] == XLSX_TYPE
    assert len(read(response.content)) == 2
    client.force_login(make_user("resp", "responder"))
    assert client.get("/breaches/log.xlsx").status_code == 403
    client.logout()
    assert client.get("/breaches/log.xlsx").status_code in {302, 403}

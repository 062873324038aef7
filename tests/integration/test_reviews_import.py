"""XLSX exports, and importing past incidents from a register CSV: every row checked, all or nothing, round trip."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import make_incident, make_service, make_team, make_user
from watchkeeper.accounts.services import create_token
from watchkeeper.incidents import services as incidents
from watchkeeper.incidents.models import Incident, ReferenceCounter, TimelineEntry
from watchkeeper.reviews import importer, queries, register, services
from watchkeeper.reviews.models import Review

pytestmark = pytest.mark.django_db

MONDAY_10AM = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
LATER = MONDAY_10AM + timedelta(days=3)
HEADINGS = [heading for _, heading in register.COLUMNS]


@pytest.fixture
def history() -> dict[str, object]:
    """Past incidents of every shape the register can hold: reviewed, late, waived and closed, proposed, restricted."""
    lead, admin, sec = make_user("lead"), make_user("admin", "admin"), make_user("sec", "security")
    pay = make_service("pay", team=make_team("payments"), name="Pay")
    notify = make_service("notify", team=make_team("messaging"), name="Notify")
    with time_machine.travel(MONDAY_10AM, tick=False):
        quick = make_incident(lead, pay, title="=HYPERLINK(evil)", priority="P1", take_lead=True)
        late = make_incident(lead, notify, title="Texts delayed", priority="P2")
        waived = make_incident(lead, notify, title="Blip", priority="P4", take_lead=True)
        secret = make_incident(sec, pay, title="Suspicious logins", restricted=True, take_lead=True)
    with time_machine.travel(MONDAY_10AM + timedelta(minutes=50), tick=False):
        incidents.resolve(lead, quick, "Rolled back")
        incidents.assign_role(lead, late, "comms_lead", lead)
    with time_machine.travel(MONDAY_10AM + timedelta(hours=3), tick=False):
        incidents.assign_role(lead, late, "incident_lead", lead)  # two hours late for a P2
        incidents.resolve(lead, late, "Queue drained")
        incidents.resolve(lead, waived, "Went away")
        incidents.resolve(sec, secret, "Accounts locked")
    with time_machine.travel(MONDAY_10AM + timedelta(days=1), tick=False):
        services.record_review(
            lead,
            quick,
            held_at=MONDAY_10AM + timedelta(hours=20),
            attendance="lead",
            root_cause="Bad deploy",
            root_cause_category="code_change",
        )
        services.waive_review(admin, waived, "A blip with no user impact")
        incidents.close(admin, waived)
    return {"lead": lead, "admin": admin, "sec": sec, "quick": quick, "late": late, "waived": waived, "secret": secret}


def exported(user: object | None = None) -> str:
    found = queries.whole_register(sort="declared") if user is None else queries.register(user, sort="declared")
    return "".join(register.register_csv(found))


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def as_cells(result: importer.Result) -> list[list[str]]:
    return rows_of("".join(register.rows_csv(result.rows)))


def forget_everything() -> None:
    """As if the file came from another Watchkeeper: the people and services stay, the incidents go."""
    Review.objects.all().delete()
    Incident.objects.all().delete()


@time_machine.travel(LATER, tick=False)
def test_export_then_import_dry_run_gives_identical_rows(history) -> None:
    text = exported()
    assert rows_of(text)[0] == HEADINGS
    assert len(rows_of(text)) == 5  # the operator's export has the restricted incident too
    assert rows_of(text)[1][1] == "'=HYPERLINK(evil)"  # a spreadsheet must not run a title
    forget_everything()

    result = importer.import_register(io.StringIO(text, newline=""), dry_run=True)

    assert result.errors == []
    assert as_cells(result) == rows_of(text)
    assert not Incident.objects.exists()  # a dry run changes nothing


@time_machine.travel(LATER, tick=False)
def test_import_creates_the_incidents_and_keeps_references_ahead(history) -> None:
    lead, admin = history["lead"], history["admin"]
    text = exported().replace(history["quick"].reference, "INC-2026-0042")
    forget_everything()

    result = importer.import_register(io.StringIO(text, newline=""), admin)

    assert result.imported and result.errors == []
    imported = Incident.objects.get(reference="INC-2026-0042")
    assert imported.status == "resolved" and imported.title == "=HYPERLINK(evil)"
    assert imported.declared_by == admin and imported.incident_lead == lead
    assert TimelineEntry.objects.filter(incident=imported, text=importer.IMPORTED, author=admin).exists()
    assert Incident.objects.get(title="Blip").status == "closed"
    assert ReferenceCounter.objects.get(year=2026).last == 42
    assert incidents.declare(lead, title="New", service=imported.service).reference == "INC-2026-0043"


@time_machine.travel(LATER, tick=False)
def test_a_bad_row_is_reported_with_its_line_and_nothing_is_imported(history) -> None:
    rows = rows_of(exported())
    rows[1][0] = "INC-26-1"
    rows[2][2] = "Nowhere"
    rows[3][4] = "investigating"
    rows[3][12] = "ghost"
    rows.append(list(rows[4]))  # the same reference twice
    forget_everything()
    out = io.StringIO()
    csv.writer(out).writerows(rows)

    result = importer.import_register(io.StringIO(out.getvalue(), newline=""), history["admin"])

    assert not result.imported
    said = {error.line: error.reason for error in result.errors}
    assert set(said) == {2, 3, 4, 6}
    assert "is not like INC-2026-0042" in said[2]
    assert "no service called 'Nowhere'" in said[3]
    assert "is not resolved or closed" in said[4] and "no user called 'ghost'" in said[4]
    assert "appears twice in the file" in said[6]
    assert not Incident.objects.exists()


@time_machine.travel(LATER, tick=False)
def test_a_reference_already_in_watchkeeper_is_refused(history) -> None:
    result = importer.import_register(io.StringIO(exported(), newline=""), dry_run=True)
    assert [error.line for error in result.errors] == [2, 3, 4, 5]
    assert all("is already in Watchkeeper" in error.reason for error in result.errors)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "the file is empty"),
        ("Reference,Title\n", "missing columns: Service"),
        (",".join([*HEADINGS, "Notes"]) + "\n", "unknown columns: Notes"),
        (",".join(HEADINGS) + "\n", "there are no incidents"),
    ],
)
def test_a_file_that_is_not_a_register_is_refused(text: str, reason: str) -> None:
    result = importer.import_register(io.StringIO(text, newline=""), dry_run=True)
    assert len(result.errors) == 1 and reason in result.errors[0].reason


def test_only_admins_import() -> None:
    with pytest.raises(PermissionDenied):
        importer.import_register(io.StringIO(""), make_user("responder"))


@time_machine.travel(LATER, tick=False)
def test_import_page_checks_then_imports(client, history) -> None:
    text = exported(history["admin"])
    forget_everything()
    client.force_login(history["lead"])
    assert client.get("/reviews/register/import").status_code == 403
    client.force_login(history["admin"])
    page = client.get("/reviews/register/import").content.decode()
    assert 'type="file"' in page and 'enctype="multipart/form-data"' in page

    bad = text.replace("Pay,", "Nowhere,", 1)
    upload = SimpleUploadedFile("register.csv", bad.encode("utf-8-sig"), content_type="text/csv")
    refused = client.post("/reviews/register/import", {"file": upload, "action": "import"}).content.decode()
    assert "govuk-error-summary" in refused and "Line 2: no service called &#39;Nowhere&#39;" in refused
    assert not Incident.objects.exists()

    upload = SimpleUploadedFile("register.csv", text.encode("utf-8-sig"), content_type="text/csv")
    checked = client.post("/reviews/register/import", {"file": upload, "action": "check"}).content.decode()
    assert "4 incidents would be imported" in checked and history["late"].reference in checked
    assert not Incident.objects.exists()

    upload = SimpleUploadedFile("register.csv", text.encode("utf-8-sig"), content_type="text/csv")
    done = client.post("/reviews/register/import", {"file": upload, "action": "import"})
    assert done.status_code == 302 and done["Location"] == "/reviews/register"
    assert Incident.objects.count() == 4


def test_import_page_wants_a_file(client) -> None:
    client.force_login(make_user("boss", "admin"))
    page = client.post("/reviews/register/import", {"action": "check"}).content.decode()
    assert "Select a CSV file" in page and "govuk-error-summary" in page


# XLSX -------------------------------------------------------------------------------------------------------------


def workbook(response: object) -> list[tuple[object, ...]]:
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    assert sheet is not None
    return [tuple(cell.value for cell in row) for row in sheet.iter_rows()]


@time_machine.travel(LATER, tick=False)
def test_xlsx_has_the_csv_columns_a_report_link_and_leaves_out_what_the_caller_may_not_see(client, history) -> None:
    token = create_token("lead")
    response = client.get(
        "/api/v1/register", {"format": "xlsx", "sort": "declared"}, HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    rows = workbook(response)
    assert list(rows[0]) == HEADINGS
    csv_rows = rows_of(exported(history["lead"]))
    assert [list(row) for row in rows[1:]] == [
        [cell[1:] if cell.startswith("'=") else cell or None for cell in row] for row in csv_rows[1:]
    ]
    assert history["secret"].reference not in {row[0] for row in rows}
    client.force_login(history["lead"])
    body = b"".join(client.get("/reviews/register.xlsx").streaming_content)  # type: ignore[attr-defined]
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    assert sheet is not None
    link = sheet.cell(row=2, column=len(HEADINGS))
    assert link.hyperlink is not None and link.hyperlink.target == link.value
    assert str(link.value).endswith("/report")
    title = sheet.cell(row=2, column=2)
    assert title.data_type == "s"  # text, never a formula, whatever it starts with


@time_machine.travel(LATER, tick=False)
def test_actions_xlsx(client, history) -> None:
    lead = history["lead"]
    services.add_action(lead, history["quick"], title="Add a canary", owner=lead, due_in_business_days=5)
    client.force_login(lead)
    response = client.get("/reviews/actions.xlsx")
    rows = workbook(response)
    assert list(rows[0]) == [heading for _, heading in register.ACTION_COLUMNS]
    assert rows[1][3] == "Add a canary"
    assert 'filename="incident-actions-' in response["Content-Disposition"]


@time_machine.travel(LATER, tick=False)
def test_register_page_links_the_downloads_and_the_import_for_admins(client, history) -> None:
    client.force_login(history["admin"])
    page = client.get("/reviews/register").content.decode()
    assert "/reviews/register.xlsx" in page and "/reviews/actions.xlsx" in page
    assert "/reviews/register/import" in page
    client.force_login(history["lead"])
    assert "/reviews/register/import" not in client.get("/reviews/register").content.decode()

"""`watchkeeper register export` and `watchkeeper register import`, as an operator runs them on the server."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
import time_machine

from tests.e2e.test_cli import run
from tests.factories import make_incident, make_service, make_user
from watchkeeper.cli import main
from watchkeeper.incidents import services as incidents
from watchkeeper.incidents.models import Incident
from watchkeeper.reviews import register
from watchkeeper.reviews.models import Review

MONDAY_10AM = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
LATER = MONDAY_10AM + timedelta(days=2)
HEADINGS = ",".join(heading for _, heading in register.COLUMNS)
WINDOW = ["--from", "2026-11-30", "--to", "2026-11-30"]


@pytest.fixture
def past() -> dict[str, Incident]:
    lead, sec = make_user("lead"), make_user("sec", "security")
    service = make_service("pay", name="Pay")
    with time_machine.travel(MONDAY_10AM, tick=False):
        open_one = make_incident(lead, service, title="Card payments failing", priority="P1", take_lead=True)
        secret = make_incident(sec, service, title="Suspicious logins", restricted=True, take_lead=True)
    with time_machine.travel(MONDAY_10AM + timedelta(hours=1), tick=False):
        incidents.resolve(lead, open_one, "Rolled back")
        incidents.resolve(sec, secret, "Accounts locked")
    with time_machine.travel(MONDAY_10AM - timedelta(days=3), tick=False):
        make_incident(lead, service, title="Outside the dates")
    return {"open_one": open_one, "secret": secret}


def export(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    with time_machine.travel(LATER, tick=False):
        main(["register", "export", *WINDOW, *args])
    return capsys.readouterr().out


@pytest.mark.django_db
def test_export_csv_has_every_incident_in_the_dates_restricted_ones_too(past, capsys) -> None:
    lines = export(capsys).splitlines()
    assert lines[0] == HEADINGS
    assert [line.split(",")[0] for line in lines[1:]] == [past["open_one"].reference, past["secret"].reference]


@pytest.mark.django_db
def test_export_json_and_xlsx(past, capsys, tmp_path: Path) -> None:
    rows = json.loads(export(capsys, "--format", "json"))
    assert [row["reference"] for row in rows] == [past["open_one"].reference, past["secret"].reference]
    assert list(rows[0]) == [key for key, _ in register.COLUMNS]

    book = tmp_path / "register.xlsx"
    assert export(capsys, "--format", "xlsx", "--output", str(book)) == ""
    sheet = openpyxl.load_workbook(book).active
    assert sheet is not None
    assert [cell.value for cell in sheet[1]] == HEADINGS.split(",")
    assert sheet.cell(row=3, column=1).value == past["secret"].reference


@pytest.mark.django_db
def test_export_then_import_dry_run_prints_identical_rows(past, capsys, tmp_path: Path) -> None:
    exported = tmp_path / "register.csv"
    export(capsys, "--output", str(exported))
    Review.objects.all().delete()
    Incident.objects.all().delete()

    with time_machine.travel(LATER, tick=False):
        main(["register", "import", str(exported), "--dry-run"])
    out, err = capsys.readouterr()
    assert out == exported.read_bytes().decode()
    assert "2 incidents would be imported; nothing was changed" in err
    assert not Incident.objects.exists()

    with time_machine.travel(LATER, tick=False):
        main(["register", "import", str(exported)])
    assert capsys.readouterr().out.startswith("Imported 2 incidents: INC-2026-0001, INC-2026-0002")
    assert Incident.objects.get(reference="INC-2026-0002").declared_by.username == "register-import"


@pytest.mark.django_db
def test_import_reports_each_bad_row_and_imports_nothing(past, capsys, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(f"{HEADINGS}\nINC-2019-0001,Old,Pay,P9,resolved,,,,,,,,,,,,\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        main(["register", "import", str(bad), "--dry-run"])
    assert exit_info.value.code == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"watchkeeper: {bad}: line 2: unknown priority 'P9'")
    assert "started is empty" in err[0]
    assert err[-1] == "watchkeeper: nothing imported: fix the 1 problem(s) above"
    assert Incident.objects.count() == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "--from", "yesterday", "--to", "2026-11-30"], "--from 'yesterday' is not a date"),
        (["export", "--from", "2026-12-01", "--to", "2026-11-30"], "--from 2026-12-01 is after --to 2026-11-30"),
        (["export", *WINDOW, "--format", "pdf"], "--format 'pdf' is not one of csv, xlsx, json"),
        (["export", "--to", "2026-11-30"], "--from"),
        (["import", "/nonexistent/register.csv"], "cannot read /nonexistent/register.csv"),
    ],
)
def test_bad_input_exits_2_with_one_line(args: list[str], message: str) -> None:
    result = run("register", *args)
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("watchkeeper: ") and message in result.stderr


def test_help_says_it_is_for_an_operator_and_includes_restricted_incidents() -> None:
    result = run("register", "export", "--help")
    assert result.returncode == 0
    assert "restricted ones too" in " ".join(result.stdout.split())

"""The breach log (Article 33(5)) as a spreadsheet for the data protection officer: the CSV's columns, as XLSX."""

from __future__ import annotations

import io

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from watchkeeper.breaches.queries import LOG_COLUMNS

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Counts are numbers, so the officer can add them up; everything else stays the text the CSV has.
NUMBER_COLUMNS = {"people_count", "record_count"}


def log_xlsx(rows: list[dict[str, str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Breach log"
    sheet.append(list(LOG_COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_value(name, row[name]) for name in LOG_COLUMNS])
        for cell in sheet[sheet.max_row]:
            if cell.data_type == "f":
                # openpyxl takes text starting with "=" for a formula; stored as text, it is shown, never run.
                cell.data_type = "s"
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _value(name: str, value: str) -> str | int:
    if name in NUMBER_COLUMNS and value.isdigit():
        return int(value)
    # Control characters are not allowed in the file format; a pasted one would make the export fail.
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def log_xlsx_response(rows: list[dict[str, str]]) -> HttpResponse:
    response = HttpResponse(log_xlsx(rows), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="breach-log.xlsx"'
    return response

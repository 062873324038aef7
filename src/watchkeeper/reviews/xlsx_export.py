"""The register and its actions as XLSX: the CSV's columns, with each report a clickable link.

openpyxl's write-only mode spills rows to a temporary file as they are appended, so memory stays bounded however
long the register grows; the finished workbook is handed back as a file to stream, not as bytes in memory.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from typing import IO

from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from watchkeeper.incidents.models import Incident
from watchkeeper.reviews import register
from watchkeeper.reviews.models import Action
from watchkeeper.text_guard import xml_safe

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LINK_COLUMNS = {"report", "link"}
# Roughly the characters each column needs, so the sheet opens readable without anyone resizing it.
WIDTHS = {"title": 40, "service": 20, "started": 22, "declared": 22, "resolved": 22, "report": 50, "link": 50}


def _cell(sheet: WriteOnlyWorksheet, key: str, text: str) -> WriteOnlyCell:
    # Text stored before control characters were refused would make the whole workbook unwritable.
    text = xml_safe(text)
    cell = WriteOnlyCell(sheet, value=text)
    # openpyxl stores text starting with "=" as a formula; a title must stay text, never run.
    cell.data_type = "s"
    if key in LINK_COLUMNS and text.startswith(("https://", "http://")):
        cell.hyperlink = text
        cell.style = "Hyperlink"
    return cell


def _workbook(
    title: str, columns: tuple[tuple[str, str], ...], rows: Iterable[dict[str, str]], into: IO[bytes]
) -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    for index, (key, _) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS.get(key, 16)
    sheet.freeze_panes = "B2"
    head = []
    for _, heading in columns:
        cell = WriteOnlyCell(sheet, value=heading)
        cell.font = Font(bold=True)
        head.append(cell)
    sheet.append(head)
    for values_by_key in rows:
        sheet.append([_cell(sheet, key, values_by_key[key]) for key, _ in columns])
    book.save(into)


def _spooled(title: str, columns: tuple[tuple[str, str], ...], rows: Iterable[dict[str, str]]) -> IO[bytes]:
    """A temporary file holding the workbook, rewound for reading; it vanishes when closed."""
    # Spools to disk past 1 MB, so a small export never touches the disk and a large one never fills memory.
    out: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=1 << 20)  # noqa: SIM115  # the response closes it
    _workbook(title, columns, rows, out)
    out.seek(0)
    return out


def register_xlsx(incidents: QuerySet[Incident]) -> IO[bytes]:
    rows = (register.values(register.row(incident)) for incident in incidents.iterator(chunk_size=1000))
    return _spooled("Incident register", register.COLUMNS, rows)


def actions_xlsx(actions: QuerySet[Action]) -> IO[bytes]:
    rows = (register.action_values(action) for action in actions.iterator(chunk_size=1000))
    return _spooled("Follow-up actions", register.ACTION_COLUMNS, rows)

"""The register and its actions as XLSX: the CSV's columns, with each report a clickable link.

openpyxl's write-only mode spills rows to a temporary file as they are appended, and the report links go to one
of their own, so memory stays bounded however long the register grows; the finished workbook is handed back as a
file to stream, not as bytes in memory.
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from typing import IO
from xml.sax.saxutils import quoteattr

from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.packaging.relationship import get_rels_path
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.xml.constants import PKG_REL_NS, REL_NS
from openpyxl.xml.functions import Element

from watchkeeper.incidents.models import Incident
from watchkeeper.reviews import register
from watchkeeper.reviews.models import Action
from watchkeeper.text_guard import xml_safe

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LINK_COLUMNS = {"report", "link"}
# Roughly the characters each column needs, so the sheet opens readable without anyone resizing it.
WIDTHS = {"title": 40, "service": 20, "started": 22, "declared": 22, "resolved": 22, "report": 50, "link": 50}


class _LinkingWriter(WorksheetWriter):
    """Writes the sheet's hyperlinks from a temporary file as it closes, instead of from objects kept per link.

    openpyxl holds every hyperlink as an object until the sheet closes (about 2.5 KB each), so a register of 100,000
    report links would grow past 250 MB; here each link is one line on disk until it is written.
    """

    def __init__(self, sheet: WriteOnlyWorksheet) -> None:
        super().__init__(sheet)
        # Text mode: a URL that xml_safe left alone is one line of UTF-8.
        self.links: IO[str] = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115  # closed by rels()
        self.count = 0

    def add(self, ref: str, target: str) -> None:
        self.count += 1
        self.links.write(f"{ref} {target}\n")

    def _each(self) -> Iterator[tuple[int, str, str]]:
        self.links.seek(0)
        for number, line in enumerate(self.links, start=1):
            ref, target = line.rstrip("\n").split(" ", 1)
            yield number, ref, target

    def write_hyperlinks(self) -> None:
        if not self.count:
            return
        xf = self.xf.send(True)
        with xf.element("hyperlinks"):
            for number, ref, _ in self._each():
                xf.write(Element("hyperlink", {"ref": ref, f"{{{REL_NS}}}id": f"rId{number}"}))
        self.xf.send(None)

    def write_rels(self, book: IO[bytes], sheet_path: str) -> None:
        """Adds the sheet's relationships (one per link) to the saved workbook, streamed into the zip."""
        with self.links, zipfile.ZipFile(book, "a", zipfile.ZIP_DEFLATED) as archive:
            if not self.count:
                return
            with archive.open(get_rels_path(sheet_path), "w") as out:
                out.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="{PKG_REL_NS}">'.encode())
                for number, _, target in self._each():
                    out.write(
                        f'<Relationship Id="rId{number}" Type="{REL_NS}/hyperlink" '
                        f'Target={quoteattr(target)} TargetMode="External"/>'.encode()
                    )
                out.write(b"</Relationships>")


def _cell(sheet: WriteOnlyWorksheet, key: str, text: str) -> WriteOnlyCell:
    # Text stored before control characters were refused would make the whole workbook unwritable.
    text = xml_safe(text)
    cell = WriteOnlyCell(sheet, value=text)
    # openpyxl stores text starting with "=" as a formula; a title must stay text, never run.
    cell.data_type = "s"
    return cell


def _is_link(key: str, text: str) -> bool:
    return key in LINK_COLUMNS and text.startswith(("https://", "http://"))


def _workbook(
    title: str, columns: tuple[tuple[str, str], ...], rows: Iterable[dict[str, str]], into: IO[bytes]
) -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    for index, (key, _) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS.get(key, 16)
    sheet.freeze_panes = "B2"
    writer = sheet._writer = _LinkingWriter(sheet)
    writer.write_top()
    head = []
    for _, heading in columns:
        cell = WriteOnlyCell(sheet, value=heading)
        cell.font = Font(bold=True)
        head.append(cell)
    sheet.append(head)
    letters = [get_column_letter(index) for index in range(1, len(columns) + 1)]
    for number, values_by_key in enumerate(rows, start=2):
        cells = []
        for letter, (key, _) in zip(letters, columns, strict=True):
            cell = _cell(sheet, key, values_by_key[key])
            if _is_link(key, cell.value):
                cell.style = "Hyperlink"
                writer.add(f"{letter}{number}", cell.value)
            cells.append(cell)
        sheet.append(cells)
    book.save(into)
    writer.write_rels(into, sheet.path[1:])


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

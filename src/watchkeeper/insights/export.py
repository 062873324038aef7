"""One row per incident with every milestone, duration and outcome: enough to reproduce every figure exactly.

Durations are seconds as the summary uses them (``repr`` of the float, so nothing is rounded away); outcomes are
``yes``, ``no`` or empty for "not decided yet". Folding the rows with ``watchkeeper.domain.statistics`` (median,
nearest-rank p90, met/of shares) gives the API's and the page's figures.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from datetime import datetime
from typing import IO

from django.conf import settings
from django.http import FileResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from watchkeeper.incidents.services.milestones import MILESTONES
from watchkeeper.insights.queries import DURATIONS, Facts, Scope

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLUMNS = (
    "reference",
    "title",
    "service",
    "team",
    "priority",
    "status",
    "exercise",
    "month",
    *MILESTONES,
    "respond_by",
    *DURATIONS,
    "response_met",
    "updates_required",
    "updates_on_time",
    "longest_overdue_gap_s",
    "reminders_sent",
    "escalations_sent",
    "review_due_by",
    "review_held_at",
    "review_within_target",
    "actions",
    "actions_overdue",
    "ico_deadline",
    "reported_to_ico_at",
    "ico_within_72h",
    "link",
)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _incident_link(reference: str) -> str:
    # Reversed once and filled in: reversing a URL per row costs more than the rest of the row.
    template = settings.SITE_URL.rstrip("/") + reverse("incidents:incident", kwargs={"reference": "REFERENCE"})
    return template.replace("REFERENCE", reference)


def row(fact: Facts, link: str | None = None) -> dict[str, str]:
    gap = fact.updates.longest_overdue.total_seconds()
    values: dict[str, object] = {
        "reference": fact.reference,
        "title": fact.title,
        "service": fact.service,
        "team": fact.team,
        "priority": fact.priority,
        "status": fact.status,
        "exercise": fact.exercise,
        "month": fact.month,
        **fact.milestones,
        "respond_by": fact.respond_by,
        **fact.durations,
        "response_met": fact.response_met,
        "updates_required": fact.updates.required,
        "updates_on_time": fact.updates.on_time,
        "longest_overdue_gap_s": gap if gap else None,
        "reminders_sent": fact.reminders_sent,
        "escalations_sent": fact.escalations_sent,
        "review_due_by": fact.review_due_by,
        "review_held_at": fact.review_held_at,
        "review_within_target": fact.review_within_target,
        "actions": fact.actions,
        "actions_overdue": fact.actions_overdue,
        "ico_deadline": fact.ico_deadline,
        "reported_to_ico_at": fact.reported_to_ico_at,
        "ico_within_72h": fact.ico_within_72h,
        "link": link.replace("REFERENCE", fact.reference) if link else _incident_link(fact.reference),
    }
    return {key: _text(values[key]) for key in COLUMNS}


# Rows go out in chunks: one chunk a row costs the server a write each, more than making the row.
CHUNK_ROWS = 200


def csv_lines(facts: list[Facts]) -> Iterator[str]:
    buffer = io.StringIO()
    # A plain writer over the row's values (already in COLUMNS order): DictWriter checks every row's keys again.
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    link = _incident_link("REFERENCE")
    for number, fact in enumerate(facts, start=1):
        writer.writerow(row(fact, link).values())
        if number % CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def export_response(facts: list[Facts], scope: Scope, format: str) -> HttpResponseBase:
    name = f"insights-{scope.start.isoformat()}-to-{scope.end.isoformat()}"
    if format == "xlsx":
        return FileResponse(xlsx_file(facts), as_attachment=True, filename=f"{name}.xlsx", content_type=XLSX)
    response = StreamingHttpResponse(csv_lines(facts), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def xlsx_file(facts: list[Facts]) -> IO[bytes]:
    """The same rows as the CSV in a workbook, every cell stored as text so a title never runs as a formula."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Incidents")
    sheet.append(list(COLUMNS))
    link = _incident_link("REFERENCE")
    for fact in facts:
        cells = []
        for value in row(fact, link).values():
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    spool = tempfile.TemporaryFile()  # noqa: SIM115  # handed to FileResponse, which closes it
    book.save(spool)
    spool.seek(0)
    return spool

"""The incident report as a Word document, with real headings and tables so it pastes cleanly into Docs and Word."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from docx import Document

from watchkeeper.reviews.report import ReportContent, in_words
from watchkeeper.text_guard import xml_safe
from watchkeeper.web.formatting import when


def _paragraph(document: Any, text: str) -> None:
    # Text stored before NUL and control characters were refused must not make the document unwritable.
    document.add_paragraph(xml_safe(text))


def _heading(document: Any, text: str, level: int) -> None:
    document.add_heading(xml_safe(text), level=level)


def _table(document: object, head: list[str], rows: list[list[str]]) -> None:
    table = document.add_table(rows=1, cols=len(head))  # type: ignore[attr-defined]
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, head, strict=True):
        cell.text = xml_safe(text)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for values in rows:
        for cell, text in zip(table.add_row().cells, values, strict=True):
            cell.text = xml_safe(text)


def docx_bytes(content: ReportContent) -> bytes:
    tz = content.timezone
    document = Document()
    document.core_properties.title = xml_safe(content.title)
    _heading(document, content.title, level=0)
    _table(document, ["Field", "Value"], [[label, value] for label, value in content.header])

    _heading(document, "Duration", level=1)
    _paragraph(document, f"Total duration (problem started to resolved): {in_words(content.total_duration)}")
    _paragraph(document, f"Time to fix (declared to resolved): {in_words(content.time_to_fix)}")

    for section, text in content.sections:
        _heading(document, section.heading, level=1)
        for paragraph in (text or "Not written yet.").split("\n\n"):
            _paragraph(document, paragraph.strip())

    _heading(document, "Timeline", level=1)
    _table(document, ["Time", "Description"], [[when(line.at, tz), line.text] for line in content.timeline])

    _heading(document, "Review", level=1)
    if content.review_answers:
        for answer in content.review_answers:
            _heading(document, answer.question, level=2)
            _paragraph(document, answer.text)
    elif content.review and content.review.is_waived:
        _paragraph(document, f"Waived: {content.review.waiver_reason}")
    else:
        _paragraph(document, "Not recorded yet.")

    _heading(document, "Actions", level=1)
    if content.actions:
        _table(
            document,
            ["Action", "Owner", "Due", "Status", "Link"],
            [
                [a.title, a.owner.get_username(), when(a.due_at, tz), a.get_status_display(), a.link]
                for a in content.actions
            ],
        )
    else:
        _paragraph(document, "No actions yet.")

    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()

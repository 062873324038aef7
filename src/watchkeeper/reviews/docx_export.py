"""The incident report as a Word document, with real headings and tables so it pastes cleanly into Docs and Word."""

from __future__ import annotations

from io import BytesIO

from docx import Document

from watchkeeper.formatting import when
from watchkeeper.reviews.report import ReportContent, in_words


def _table(document: object, head: list[str], rows: list[list[str]]) -> None:
    table = document.add_table(rows=1, cols=len(head))  # type: ignore[attr-defined]
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, head, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for values in rows:
        for cell, text in zip(table.add_row().cells, values, strict=True):
            cell.text = text


def docx_bytes(content: ReportContent) -> bytes:
    tz = content.timezone
    document = Document()
    document.core_properties.title = content.title
    document.add_heading(content.title, level=0)
    _table(document, ["Field", "Value"], [[label, value] for label, value in content.header])

    document.add_heading("Duration", level=1)
    document.add_paragraph(f"Total duration (problem started to resolved): {in_words(content.total_duration)}")
    document.add_paragraph(f"Time to fix (declared to resolved): {in_words(content.time_to_fix)}")

    for section, text in content.sections:
        document.add_heading(section.heading, level=1)
        for paragraph in (text or "Not written yet.").split("\n\n"):
            document.add_paragraph(paragraph.strip())

    document.add_heading("Timeline", level=1)
    _table(document, ["Time", "Description"], [[when(line.at, tz), line.text] for line in content.timeline])

    document.add_heading("Review", level=1)
    if content.review_answers:
        for answer in content.review_answers:
            document.add_heading(answer.question, level=2)
            document.add_paragraph(answer.text)
    elif content.review and content.review.is_waived:
        document.add_paragraph(f"Waived: {content.review.waiver_reason}")
    else:
        document.add_paragraph("Not recorded yet.")

    document.add_heading("Actions", level=1)
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
        document.add_paragraph("No actions yet.")

    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()

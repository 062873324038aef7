"""The incident report as one structure, read live from the incident, and its Markdown rendering."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from watchkeeper.incidents.models import EntryKind, Incident
from watchkeeper.incidents.queries import timeline
from watchkeeper.reviews import queries
from watchkeeper.reviews.content import REVIEW_QUESTIONS, Section
from watchkeeper.reviews.models import Action, Report, Review, RootCause
from watchkeeper.reviews.services import template_sections
from watchkeeper.web.formatting import duration, when

# Entries that tell the story; checklist ticks are bookkeeping the checklist already shows.
STORY_KINDS = {kind.value for kind in EntryKind} - {EntryKind.CHECKLIST.value}


@dataclass(frozen=True)
class Line:
    at: datetime
    text: str


@dataclass(frozen=True)
class Answer:
    question: str
    text: str


@dataclass(frozen=True)
class ReportContent:
    incident: Incident
    report: Report
    header: list[tuple[str, str]]
    sections: list[tuple[Section, str]]
    timeline: list[Line]
    total_duration: timedelta | None
    time_to_fix: timedelta | None
    review: Review | None
    review_answers: list[Answer]
    actions: list[Action]

    @property
    def timezone(self) -> str:
        return self.incident.service.timezone

    @property
    def title(self) -> str:
        return f"Incident report: {self.incident.reference} {self.incident.title}"


def _person(user: object) -> str:
    return user.get_username() if user is not None else "Not yet named"  # type: ignore[attr-defined]


def in_words(span: timedelta | None) -> str:
    return duration(span) if span is not None else "Not resolved yet"


def _answers(review: Review | None) -> list[Answer]:
    if review is None or not review.is_recorded:
        return []
    answers = [
        Answer("When was the review held?", when(review.held_at, review.incident.service.timezone)),
        Answer("Who attended?", review.attendance),
        Answer("What caused it?", review.root_cause),
        Answer("Root-cause category", RootCause(review.root_cause_category).label),
    ]
    return answers + [
        Answer(question.text, getattr(review, question.field) or "Not answered") for question in REVIEW_QUESTIONS
    ]


def build(incident: Incident) -> ReportContent:
    """Everything the report shows, current as of now; GET pages never write, so a missing report reads as empty."""
    tz = incident.service.timezone
    report = Report.objects.filter(incident=incident).first() or Report(incident=incident, sections={})
    review = Review.objects.filter(incident=incident).select_related("incident__service").first()
    header = [
        ("Reference", incident.reference),
        ("Service", incident.service.name),
        ("Priority", incident.priority),
        ("Status", incident.status.capitalize()),
        ("Start (problem first noticed)", when(incident.reported_at, tz)),
        ("Declared", when(incident.declared_at, tz)),
        ("End (resolved)", when(incident.resolved_at, tz) if incident.resolved_at else "Not resolved yet"),
        ("Incident lead", _person(incident.incident_lead)),
        ("Comms lead", _person(incident.comms_lead)),
    ]
    return ReportContent(
        incident=incident,
        report=report,
        header=header,
        sections=[(section, report.sections.get(section.key, "")) for section in template_sections(incident)],
        timeline=[
            Line(entry.at, entry.text) for entry in timeline(incident, newest_first=False) if entry.kind in STORY_KINDS
        ],
        total_duration=queries.total_duration(incident),
        time_to_fix=queries.time_to_fix(incident),
        review=review,
        review_answers=_answers(review),
        actions=list(queries.incident_actions(incident)),
    )


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def markdown(content: ReportContent) -> str:
    tz = content.timezone
    out = [f"# {content.title}", "", "| | |", "| --- | --- |"]
    out += [f"| {label} | {_cell(value)} |" for label, value in content.header]
    out += ["", "## Duration", ""]
    out += [f"- Total duration (problem started to resolved): {in_words(content.total_duration)}"]
    out += [f"- Time to fix (declared to resolved): {in_words(content.time_to_fix)}"]
    for section, text in content.sections:
        out += ["", f"## {section.heading}", "", text or "Not written yet."]
    out += ["", "## Timeline", "", "| Time | Description |", "| --- | --- |"]
    out += [f"| {when(line.at, tz)} | {_cell(line.text)} |" for line in content.timeline]
    out += ["", "## Review", ""]
    if content.review_answers:
        for answer in content.review_answers:
            out += [f"### {answer.question}", "", answer.text, ""]
    elif content.review and content.review.is_waived:
        out += [f"Waived: {content.review.waiver_reason}", ""]
    else:
        out += ["Not recorded yet.", ""]
    out += ["## Actions", ""]
    if content.actions:
        out += ["| Action | Owner | Due | Status | Link |", "| --- | --- | --- | --- | --- |"]
        out += [
            f"| {_cell(a.title)} | {a.owner.get_username()} | {when(a.due_at, tz)} | {a.get_status_display()} "
            f"| {a.link} |"
            for a in content.actions
        ]
    else:
        out += ["No actions yet."]
    return "\n".join(out) + "\n"

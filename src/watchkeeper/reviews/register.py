"""The central register's rows, as a page shows them and as CSV streams them."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.urls import get_script_prefix, reverse

from watchkeeper.incidents.models import Incident
from watchkeeper.reviews import queries
from watchkeeper.reviews.models import Action, Review, RootCause
from watchkeeper.web.formatting import duration

# The DESIGN.md §3 register columns, in order: (key, heading). Keys double as sort keys, bar the report link.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("reference", "Reference"),
    ("title", "Title"),
    ("service", "Service"),
    ("priority", "Priority"),
    ("status", "Status"),
    ("started", "Started"),
    ("declared", "Declared"),
    ("resolved", "Resolved"),
    ("total_duration", "Total duration"),
    ("time_to_fix", "Time to fix"),
    ("response_met", "Response met"),
    ("updates_on_time", "Updates on time"),
    ("incident_lead", "Incident lead"),
    ("comms_lead", "Comms lead"),
    ("root_cause", "Root-cause category"),
    ("review_date", "Review date"),
    ("report", "Report"),
)
ACTION_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "Action"),
    ("reference", "Incident"),
    ("service", "Service"),
    ("title", "Title"),
    ("owner", "Owner"),
    ("due", "Due"),
    ("status", "Status"),
    ("link", "Link"),
)
PAGE_SIZE = 50


@dataclass(frozen=True)
class RegisterRow:
    incident: Incident
    started: datetime | None
    declared: datetime | None
    resolved: datetime | None
    total_duration: timedelta | None
    time_to_fix: timedelta | None
    response_met: str
    updates_on_time: str
    root_cause: str
    review_date: str
    report_path: str


def page_of(
    found: QuerySet[Incident], number: int | str | None, size: int | None = None
) -> tuple[Page[int], list[Incident]]:
    """One page of the register, chosen by id first and only then read in full.

    Sorting 100,000 bare incident rows is quick; joining service, team, leads, review and report onto every one of
    them before the sort (which SQLite does for a descending sort) took seconds.
    """
    page = Paginator(found.values_list("pk", flat=True), size or PAGE_SIZE).get_page(number)
    chosen = found.in_bulk(list(page.object_list))
    return page, [chosen[pk] for pk in page.object_list]


def review_date(review: Review | None, incident: Incident) -> str:
    if review is None:
        return ""
    if review.held_at:
        return f"{queries.local(incident, review.held_at):%Y-%m-%d}"
    if review.waived_at:
        return "Waived"
    if review.proposed_for:
        return f"Proposed {queries.local(incident, review.proposed_for):%Y-%m-%d}"
    return ""


def _review_of(incident: Incident) -> Review | None:
    try:
        review: Review = incident.review  # type: ignore[attr-defined]  # the reverse one-to-one
        return review
    except Review.DoesNotExist:
        return None


@lru_cache(maxsize=8)
def _report_path_parts(script_prefix: str) -> tuple[str, str]:
    path = reverse("reviews:report", kwargs={"reference": _SENTINEL})
    before, _, after = path.partition(_SENTINEL)
    return before, after


_SENTINEL = "INC-0000-0000"


def report_path(reference: str) -> str:
    """reverse() once per prefix, not once per row: for a 100,000-row export it was the slowest step."""
    before, after = _report_path_parts(get_script_prefix())
    return f"{before}{reference}{after}"


def row(incident: Incident) -> RegisterRow:
    review = _review_of(incident)
    category = review.root_cause_category if review else ""
    return RegisterRow(
        incident=incident,
        started=queries.local(incident, incident.reported_at),
        declared=queries.local(incident, incident.declared_at),
        resolved=queries.local(incident, incident.resolved_at),
        total_duration=queries.total_duration(incident),
        time_to_fix=queries.time_to_fix(incident),
        response_met=queries.response_met_text(incident),
        updates_on_time=queries.updates_on_time_text(incident),
        root_cause=RootCause(category).label if category else "",
        review_date=review_date(review, incident),
        report_path=report_path(incident.reference),
    )


def _iso(instant: datetime | None) -> str:
    return instant.isoformat(timespec="minutes") if instant else ""


def _person(user: object) -> str:
    return user.get_username() if user is not None else ""  # type: ignore[attr-defined]


def values(item: RegisterRow) -> dict[str, str]:
    """One row as text: times in ISO 8601 with the service's offset, durations in words, a full report link."""
    incident = item.incident
    return {
        "reference": incident.reference,
        "title": incident.title,
        "service": incident.service.name,
        "priority": incident.priority,
        "status": incident.status,
        "started": _iso(item.started),
        "declared": _iso(item.declared),
        "resolved": _iso(item.resolved),
        "total_duration": duration(item.total_duration) if item.total_duration is not None else "",
        "time_to_fix": duration(item.time_to_fix) if item.time_to_fix is not None else "",
        "response_met": item.response_met,
        "updates_on_time": item.updates_on_time,
        "incident_lead": _person(incident.incident_lead),
        "comms_lead": _person(incident.comms_lead),
        "root_cause": item.root_cause,
        "review_date": item.review_date,
        "report": f"{settings.SITE_URL}{item.report_path}",
    }


def action_values(action: Action) -> dict[str, str]:
    return {
        "id": str(action.pk),
        "reference": action.incident.reference,
        "service": action.incident.service.name,
        "title": action.title,
        "owner": action.owner.get_username(),
        "due": _iso(queries.local(action.incident, action.due_at)),
        "status": action.status,
        "link": action.link,
    }


class _Line:
    """csv.writer wants a file; this one hands back each line so a response can stream it."""

    def write(self, text: str) -> str:
        return text


def _csv(columns: tuple[tuple[str, str], ...], rows: Iterable[dict[str, str]]) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield writer.writerow([heading for _, heading in columns])
    for values_by_key in rows:
        yield writer.writerow([_safe(values_by_key[key]) for key, _ in columns])


def _safe(text: str) -> str:
    # A spreadsheet runs a cell starting with = + - or @ as a formula: a title must never become one.
    return f"'{text}" if text[:1] in {"=", "+", "-", "@"} else text


def register_csv(incidents: QuerySet[Incident]) -> Iterator[str]:
    """Streams in chunks so memory stays bounded however long the register grows."""
    return _csv(COLUMNS, (values(row(incident)) for incident in incidents.iterator(chunk_size=1000)))


def rows_csv(rows: Iterable[dict[str, str]]) -> Iterator[str]:
    """Rows already turned into text, such as an import's dry run, in the register's CSV columns."""
    return _csv(COLUMNS, rows)


def actions_csv(actions: QuerySet[Action]) -> Iterator[str]:
    return _csv(ACTION_COLUMNS, (action_values(action) for action in actions.iterator(chunk_size=1000)))

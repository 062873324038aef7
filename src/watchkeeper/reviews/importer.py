"""Bringing a team's past incidents in from a register spreadsheet saved as CSV, in the export's own columns.

Total duration, time to fix and the report link are worked out again from the other columns, so they are not read.

Every row is checked before anything is written; one bad row and nothing is imported. A dry run builds the
incidents inside a transaction, reads them back as register rows and rolls back, so what it shows is exactly what
an import would add. Imported incidents are history: no events are published, so nobody is notified or reminded.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from watchkeeper.accounts import services as accounts
from watchkeeper.accounts.roles import is_admin
from watchkeeper.catalogue.models import Service
from watchkeeper.domain.priority import Priority
from watchkeeper.domain.workflow import Status
from watchkeeper.incidents import clocks
from watchkeeper.incidents.models import Incident
from watchkeeper.incidents.services import history, references
from watchkeeper.incidents.services.references import REFERENCE
from watchkeeper.reviews import queries, register, scheduling, services
from watchkeeper.reviews.models import RootCause

IMPORTED = "Imported from the register spreadsheet"
IMPORT_ACCOUNT = "register-import"
HEADINGS = {heading.casefold(): key for key, heading in register.COLUMNS}
RESPONSE_MET = {"": None, "yes": "yes", "no": "no", "no, late": "late"}
UPDATES_ON_TIME = {"": None, "yes": True, "no": False}
CATEGORIES = {**{label.casefold(): value for value, label in RootCause.choices}, **{v: v for v in RootCause.values}}


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class Result:
    errors: list[RowError] = field(default_factory=list)
    rows: list[dict[str, str]] = field(default_factory=list)  # as the register will show them
    imported: bool = False


@dataclass
class _Row:
    line: int
    reference: str
    incident: Incident
    lead: User | None
    comms: User | None
    response: str | None
    updates_on_time: bool | None
    category: str
    review_date: str


class _DryRun(Exception):
    """Raised to roll back the dry run's transaction after reading the rows back."""


def _lines(text: Iterable[str]) -> Iterator[tuple[int, list[str]]]:
    """Each record with the line it starts on, counting the lines inside quoted cells as a spreadsheet saves them."""
    reader = csv.reader(text)
    start = 1
    for record in reader:
        yield start, record
        start = reader.line_num + 1


def _unsafe(text: str) -> str:
    # The export puts an apostrophe before = + - @ so spreadsheets show the text; take it off again.
    return text[1:] if text[:1] == "'" and text[1:2] in {"=", "+", "-", "@"} else text


def _instant(text: str, zone: ZoneInfo, what: str, problems: list[str]) -> datetime | None:
    if not text:
        problems.append(f"{what} is empty")
        return None
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        problems.append(f"{what} '{text}' is not a date and time such as 2026-11-30T10:00+00:00")
        return None
    # A spreadsheet's own times carry no offset: they were written in the service's local time.
    return instant.replace(tzinfo=zone) if instant.tzinfo is None else instant


def _person(name: str, what: str, problems: list[str]) -> User | None:
    if not name:
        return None
    person = get_user_model().objects.filter(username=name).first()
    if person is None:
        problems.append(f"no user called '{name}' for the {what}")
    return person


class _Checker:
    """Turns each record into an unsaved incident, or reasons why it cannot be one."""

    def __init__(self) -> None:
        self.services = list(Service.objects.all())
        self.seen: set[str] = set()
        self.now = timezone.now()

    def service(self, text: str, problems: list[str]) -> Service | None:
        found = [s for s in self.services if s.slug == text] or [
            s for s in self.services if s.name.casefold() == text.casefold()
        ]
        if len(found) != 1:
            problems.append(f"no service called '{text}'" if not found else f"more than one service is called '{text}'")
            return None
        return found[0]

    def reference(self, text: str, problems: list[str]) -> None:
        if not REFERENCE.fullmatch(text):
            problems.append(f"reference '{text}' is not like INC-2026-0042")
        elif text in self.seen:
            problems.append(f"{text} appears twice in the file")
        elif Incident.objects.filter(reference=text).exists():
            problems.append(f"{text} is already in Watchkeeper")
        self.seen.add(text)

    def times(
        self, cells: dict[str, str], zone: ZoneInfo, problems: list[str]
    ) -> tuple[datetime | None, datetime | None, datetime | None]:
        """(started, declared, resolved), which must run in that order and be over."""
        started = _instant(cells["started"], zone, "started", problems)
        declared = _instant(cells["declared"], zone, "declared", problems)
        resolved = _instant(cells["resolved"], zone, "resolved", problems)
        if started and declared and resolved:
            if not started <= declared <= resolved:
                problems.append("the times must run started, then declared, then resolved")
            if resolved > self.now:
                problems.append("resolved is in the future")
        return started, declared, resolved

    def check(self, line: int, cells: dict[str, str]) -> tuple[_Row | None, list[str]]:
        problems: list[str] = []
        self.reference(cells["reference"], problems)
        title = cells["title"]
        if not title or len(title) > 200:
            problems.append("the title is empty" if not title else "the title is longer than 200 characters")
        service = self.service(cells["service"], problems)
        priority, status = _priority_and_status(cells, problems)
        started, declared, resolved = self.times(cells, ZoneInfo(service.timezone if service else "UTC"), problems)
        lead, comms, category = _outcome(cells, status, problems)
        if problems or service is None or started is None or declared is None or resolved is None:
            return None, problems
        incident = Incident(
            reference=cells["reference"],
            title=title,
            service=service,
            priority=priority,
            status=status,
            reported_at=started,
            declared_at=declared,
            resolved_at=resolved,
            closed_at=resolved if status == Status.CLOSED.value else None,
            incident_lead=lead,
            comms_lead=comms,
        )
        try:
            clocks.recompute(incident)
        except ValueError as error:  # for instance, a date before the bank holiday data begins
            return None, [str(error)]
        row = _Row(
            line,
            cells["reference"],
            incident,
            lead,
            comms,
            RESPONSE_MET[cells["response_met"].lower()],
            UPDATES_ON_TIME[cells["updates_on_time"].lower()],
            CATEGORIES[category.casefold()] if category else "",
            cells["review_date"],
        )
        return row, []


def _priority_and_status(cells: dict[str, str], problems: list[str]) -> tuple[str, str]:
    priority = ""
    try:
        priority = Priority.parse(cells["priority"]).value
    except ValueError as error:
        problems.append(str(error))
    status = cells["status"].lower()
    if status not in {Status.RESOLVED.value, Status.CLOSED.value}:
        problems.append(f"status '{cells['status']}' is not resolved or closed: only past incidents come in")
    return priority, status


def _outcome(cells: dict[str, str], status: str, problems: list[str]) -> tuple[User | None, User | None, str]:
    """(incident lead, comms lead, root-cause category as given) once the response and review columns are checked."""
    if cells["response_met"].lower() not in RESPONSE_MET:
        problems.append(f"response met '{cells['response_met']}' is not Yes, No or 'No, late'")
    if cells["updates_on_time"].lower() not in UPDATES_ON_TIME:
        problems.append(f"updates on time '{cells['updates_on_time']}' is not Yes or No")
    lead = _person(cells["incident_lead"], "incident lead", problems)
    comms = _person(cells["comms_lead"], "comms lead", problems)
    category = cells["root_cause"]
    if category and category.casefold() not in CATEGORIES:
        problems.append(f"root-cause category '{category}' is not one of: {', '.join(RootCause.labels)}")
    review = _review_date(cells["review_date"], problems)
    if status == Status.CLOSED.value and review[0] not in {"held", "waived"}:
        problems.append("a closed incident needs its review date, or Waived")
    return lead, comms, category


def _review_date(text: str, problems: list[str]) -> tuple[str, datetime | None]:
    """("held" | "proposed" | "waived" | "", the local date at midnight as a naive datetime)."""
    if not text:
        return "", None
    if text.casefold() == "waived":
        return "waived", None
    kind, _, day = text.rpartition(" ")
    try:
        when = datetime.fromisoformat(day)
    except ValueError:
        when = None
    if when is None or kind.casefold() not in {"", "proposed"}:
        problems.append(f"review date '{text}' is not a date such as 2026-12-01, 'Proposed 2026-12-01' or Waived")
        return "", None
    return ("proposed" if kind else "held"), when


def read(text: Iterable[str]) -> tuple[list[tuple[int, dict[str, str]]], list[RowError]]:
    """The records as cells by column key, or what is wrong with the heading row."""
    records = _lines(text)
    first = next(records, None)
    if first is None:
        return [], [RowError(1, "the file is empty: it needs the register's heading row")]
    keys = [HEADINGS.get(heading.strip().casefold()) for heading in first[1]]
    missing = [heading for key, heading in register.COLUMNS if key not in keys]
    unknown = [heading for heading, key in zip(first[1], keys, strict=True) if key is None]
    if missing or unknown:
        said = [f"missing columns: {', '.join(missing)}"] if missing else []
        said += [f"unknown columns: {', '.join(unknown)}"] if unknown else []
        return [], [RowError(1, "; ".join(said) + ". Use the columns of the register's CSV export")]
    rows = []
    for line, record in records:
        if not any(cell.strip() for cell in record):
            continue  # spreadsheets leave blank lines at the end
        if len(record) != len(keys):
            rows.append((line, {"__width__": f"has {len(record)} cells, not {len(keys)}"}))
            continue
        cells = {key: _unsafe(cell.strip()) for key, cell in zip(keys, record, strict=True) if key}
        rows.append((line, cells))
    return rows, []


def _save(row: _Row, actor: User | None) -> Incident:
    incident = row.incident
    # Brought in from the server's command line: declared by an account nobody can sign in to.
    incident.declared_by = actor or accounts.system_account(IMPORT_ACCOUNT)
    resolved = incident.resolved_at
    assert resolved is not None  # checked
    if row.response == "yes":
        incident.response_met_at = min(incident.respond_by, resolved)
    elif row.response == "late":
        # The register says only that it was late, not when: the first minute past the deadline.
        incident.response_met_at = incident.respond_by + timedelta(minutes=1)
    if row.updates_on_time is False:
        incident.updates_late = 1
    elif row.updates_on_time and incident.first_update_by < resolved:
        incident.last_update_at = incident.first_update_by  # an update came, on time
    history.add_past_incident(incident, author=actor, note=IMPORTED, data={"reviews": {"line": row.line}})
    services.ensure_report(incident)
    kind, day = _review_date(row.review_date, [])
    if kind or row.category:
        review: dict[str, Any] = {}
        if day is not None:
            # The register keeps only the day: the meeting is put at the usual review time on it.
            meeting = datetime.combine(
                day.date(), scheduling.review_meeting_time(), ZoneInfo(incident.service.timezone)
            )
            review = (
                {"held_at": meeting, "recorded_at": timezone.now()} if kind == "held" else {"proposed_for": meeting}
            )
        elif kind == "waived":
            review = {"waived_at": resolved, "waiver_reason": IMPORTED}
        services.add_past_review(incident, root_cause_category=row.category, **review)
    return incident


def import_register(text: Iterable[str], actor: User | None = None, *, dry_run: bool = False) -> Result:
    """Checks every row, then imports all of them in one transaction, or none. ``actor`` None is the server's CLI."""
    if actor is not None and not is_admin(actor):
        raise PermissionDenied("Only admins can import incidents")
    records, errors = read(text)
    result = Result(errors=errors)
    if errors:
        return result
    try:
        with transaction.atomic():
            # Lock the counters first: a declaration meanwhile waits, then numbers past what was imported.
            years = {cells.get("reference", "")[4:8] for _, cells in records}
            references.lock_years(int(y) for y in years if y.isdigit())
            checker, checked = _Checker(), []
            for line, cells in records:
                if "__width__" in cells:
                    result.errors.append(RowError(line, f"the row {cells['__width__']}"))
                    continue
                row, problems = checker.check(line, cells)
                if row is None:
                    result.errors.append(RowError(line, "; ".join(problems)))
                else:
                    checked.append(row)
            if result.errors:
                return result
            if not checked:
                result.errors.append(RowError(2, "there are no incidents in the file"))
                return result
            references.reserve(row.reference for row in checked)
            saved = [_save(row, actor) for row in checked]
            found = queries.whole_register(sort="declared").filter(pk__in=[incident.pk for incident in saved])
            result.rows = [register.values(register.row(incident)) for incident in found]
            if dry_run:
                raise _DryRun
            result.imported = True
    except _DryRun:
        pass
    return result

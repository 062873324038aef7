"""Reads of breach records: every one goes through access, so nothing here leaks outside the incident."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Case, F, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from watchkeeper.breaches.access import incident_for, is_data_protection, on_incident
from watchkeeper.breaches.models import Breach, BreachDecision, DecisionKind
from watchkeeper.incidents.models import Incident
from watchkeeper.incidents.visibility import Person, visible_incidents
from watchkeeper.web.formatting import relative, when


def breach_for(user: Person, reference: str) -> Breach:
    incident = incident_for(user, reference)
    breach = Breach.objects.select_related("incident", "incident__service").filter(incident=incident).first()
    if breach is None:
        raise Http404(f"{reference} has no breach record")
    return breach


def decisions(incident: Incident) -> QuerySet[BreachDecision]:
    return BreachDecision.objects.filter(incident=incident).select_related("by").order_by("at", "id")


def ico_status(breach: Breach, now: datetime | None = None) -> str:
    """One phrase for the register and the incident page: whether and when the ICO was told."""
    now = now or timezone.now()
    if breach.reported_to_ico_at:
        when = "on time" if breach.reported_to_ico_at <= breach.ico_deadline else "late"
        return f"Reported to the ICO {when}"
    if breach.report_to_ico is False:
        return "Not reported: decided it is unlikely to result in a risk"
    if breach.report_to_ico:
        return f"To be reported, {relative(breach.ico_deadline, now)}"
    return f"ICO decision {relative(breach.ico_deadline, now)}"


# What the data protection group reads in place of a restricted incident's title (see the README's groups table).
WITHHELD_TITLE = "Withheld: restricted incident"


def breach_log(user: Person) -> QuerySet[Breach]:
    """Article 33(5): every breach, reported or not. Only for security and data protection.

    The data protection officer keeps the record of every breach (its facts, effects, decisions and the ICO
    clock), but a restricted incident's internal title is the security response's working detail, not part of
    that record: for a reader outside the incident who cannot see it, its row carries the reference instead.
    """
    if not is_data_protection(user):
        raise PermissionDenied("The breach log is for the security and data protection groups")
    may_read_title = Q(incident__restricted=False) | Q(incident__in=visible_incidents(user).values("id"))
    return (
        Breach.objects.select_related("incident", "incident__service")
        .annotate(shown_title=Case(When(may_read_title, then=F("incident__title")), default=Value(WITHHELD_TITLE)))
        .order_by("-aware_at", "-id")
    )


LOG_COLUMNS = (
    "reference",
    "title",
    "service",
    "aware_at",
    "ico_deadline",
    "nature",
    "people_categories",
    "people_count",
    "record_categories",
    "record_count",
    "likely_consequences",
    "measures_taken",
    "risk",
    "risk_reasoning",
    "report_to_ico",
    "report_to_ico_reason",
    "report_decided_by",
    "report_decided_at",
    "reported_to_ico_at",
    "reported_on_time",
    "ico_reference",
    "delay_reasons",
    "tell_people",
    "tell_people_reason",
    "tell_people_exemption",
    "told_people_at",
    "tell_people_method",
    "status",
)


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def log_row(breach: Breach, last_ico_decision: BreachDecision | None) -> dict[str, str]:
    incident = breach.incident
    on_time = None if breach.reported_to_ico_at is None else breach.reported_to_ico_at <= breach.ico_deadline
    return {
        "reference": incident.reference,
        # Only rows read through breach_log carry shown_title; a row built elsewhere withholds rather than leaks.
        "title": getattr(breach, "shown_title", WITHHELD_TITLE),
        "service": incident.service.name,
        "aware_at": _iso(breach.aware_at),
        "ico_deadline": _iso(breach.ico_deadline),
        "nature": breach.nature,
        "people_categories": breach.people_categories,
        "people_count": "" if breach.people_count is None else str(breach.people_count),
        "record_categories": breach.record_categories,
        "record_count": "" if breach.record_count is None else str(breach.record_count),
        "likely_consequences": breach.likely_consequences,
        "measures_taken": breach.measures_taken,
        "risk": breach.risk,
        "risk_reasoning": breach.risk_reasoning,
        "report_to_ico": _yes_no(breach.report_to_ico),
        "report_to_ico_reason": breach.report_to_ico_reason,
        "report_decided_by": last_ico_decision.by.get_username() if last_ico_decision and last_ico_decision.by else "",
        "report_decided_at": _iso(last_ico_decision.at if last_ico_decision else None),
        "reported_to_ico_at": _iso(breach.reported_to_ico_at),
        "reported_on_time": _yes_no(on_time),
        "ico_reference": breach.ico_reference,
        "delay_reasons": breach.delay_reasons,
        "tell_people": _yes_no(breach.tell_people),
        "tell_people_reason": breach.tell_people_reason,
        "tell_people_exemption": breach.tell_people_exemption,
        "told_people_at": _iso(breach.told_people_at),
        "tell_people_method": breach.tell_people_method,
        "status": ico_status(breach),
    }


def log_rows(breaches: QuerySet[Breach]) -> list[dict[str, str]]:
    found = list(breaches)
    latest: dict[int, BreachDecision] = {}
    ico_decisions = BreachDecision.objects.filter(
        incident_id__in=[b.incident_id for b in found], kind=DecisionKind.REPORT_TO_ICO
    ).select_related("by")
    for decision in ico_decisions.order_by("at", "id"):
        latest[decision.incident_id] = decision
    return [log_row(breach, latest.get(breach.incident_id)) for breach in found]


def _safe_cell(value: str) -> str:
    # A cell starting with = + - @ runs as a formula in a spreadsheet: prefix it so it stays text.
    return "'" + value if value[:1] in {"=", "+", "-", "@", "\t", "\r"} else value


def log_csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=LOG_COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _safe_cell(value) for key, value in row.items()})
    return out.getvalue()


def clock_for(user: Person, incident: Incident) -> str | None:
    """For the incident page and lists: the ICO clock in one phrase, or None when there is nothing this user may see."""
    if not on_incident(user, incident):
        return None
    breach = Breach.objects.filter(incident=incident).first()
    if breach is None:
        return None
    # One format for the deadline wherever it shows: the service's local time, as the flag and the record page say.
    return f"{ico_status(breach)} (deadline {when(breach.ico_deadline, incident.service.timezone)})"

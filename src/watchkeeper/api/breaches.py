"""Personal data breach records: read and change one, and the Article 33(5) breach log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from ninja.responses import Status

from watchkeeper.api.base import XLSX, Input, also_as_files, problem
from watchkeeper.breaches import export, queries, services
from watchkeeper.breaches.access import incident_for
from watchkeeper.breaches.models import Breach
from watchkeeper.breaches.services.breach import FACT_FIELDS

router = Router(tags=["breaches"])


class DecisionOut(Schema):
    kind: str
    decision: str
    reason: str
    at: datetime
    by: str | None

    @staticmethod
    def resolve_by(obj: Any) -> str | None:
        return obj.by.get_username() if obj.by else None


class BreachOut(Schema):
    reference: str
    aware_at: datetime
    ico_deadline: datetime
    status: str
    nature: str
    people_categories: str
    people_count: int | None
    record_categories: str
    record_count: int | None
    contact_point: str
    likely_consequences: str
    measures_taken: str
    measures_proposed: str
    risk: str
    risk_reasoning: str
    report_to_ico: bool | None
    report_to_ico_reason: str
    reported_to_ico_at: datetime | None
    ico_reference: str
    delay_reasons: str
    tell_people: bool | None
    tell_people_reason: str
    tell_people_exemption: str
    told_people_at: datetime | None
    tell_people_method: str
    decisions: list[DecisionOut]

    @staticmethod
    def resolve_reference(obj: Breach) -> str:
        return obj.incident.reference

    @staticmethod
    def resolve_status(obj: Breach) -> str:
        return queries.ico_status(obj)

    @staticmethod
    def resolve_decisions(obj: Breach) -> list[Any]:
        return list(queries.decisions(obj.incident))


class BreachPatch(Input):
    """Send only what changes. Decisions carry their reasons; changing aware_at needs aware_at_reason."""

    aware_at: datetime | None = None
    aware_at_reason: str = ""
    nature: str | None = None
    people_categories: str | None = None
    people_count: int | None = None
    record_categories: str | None = None
    record_count: int | None = None
    contact_point: str | None = None
    likely_consequences: str | None = None
    measures_taken: str | None = None
    measures_proposed: str | None = None
    risk: str | None = None
    risk_reasoning: str = ""
    report_to_ico: bool | None = None
    report_to_ico_reason: str = ""
    reported_to_ico_at: datetime | None = None
    ico_reference: str = ""
    delay_reasons: str = ""
    tell_people: bool | None = None
    tell_people_reason: str = ""
    tell_people_exemption: str = ""
    told_people_at: datetime | None = None
    tell_people_method: str = ""


@router.get("/incidents/{reference}/breach", response=BreachOut)
def get_breach(request: HttpRequest, reference: str) -> Breach:
    return queries.breach_for(request.user, reference)


@router.patch("/incidents/{reference}/breach", response=BreachOut)
def patch_breach(request: HttpRequest, reference: str, payload: BreachPatch) -> Breach:
    breach = queries.breach_for(request.user, reference)
    sent = payload.dict(exclude_unset=True)
    facts = {name: sent[name] for name in FACT_FIELDS if name in sent}
    changes = services.BreachChanges(
        **{key: value for key, value in sent.items() if key not in facts},
        facts=facts or None,
    )
    services.update(request.user, breach.incident, changes)  # type: ignore[arg-type]
    return queries.breach_for(request.user, reference)


@router.post("/incidents/{reference}/breach", response={201: BreachOut})
def open_breach(request: HttpRequest, reference: str) -> Status[Breach]:
    """Marks the incident as involving personal data; answers with the record (new or existing)."""
    incident = incident_for(request.user, reference)
    services.open_breach(request.user, incident)  # type: ignore[arg-type]
    return Status(201, queries.breach_for(request.user, reference))


class BreachLogPage(Schema):
    count: int
    page: int
    pages: int
    rows: list[dict[str, str]]


@router.get("/breaches", response={200: BreachLogPage}, openapi_extra=also_as_files("text/csv", XLSX))
def breach_log(
    request: HttpRequest,
    format: str = "json",
    page: int = Query(1, ge=1, le=10**9),
    limit: int = Query(50, ge=1, le=200),
) -> Any:
    """The breach log as JSON a page at a time (as `/register` is), or the whole of it as CSV or XLSX."""
    found = queries.breach_log(request.user)
    if format == "json":
        chosen = Paginator(found, limit).get_page(page)
        rows = queries.log_rows(found.filter(pk__in=[breach.pk for breach in chosen.object_list]))
        return {
            "count": chosen.paginator.count,
            "page": chosen.number,
            "pages": chosen.paginator.num_pages,
            "rows": rows,
        }
    rows = queries.log_rows(found)
    if format == "csv":
        response = HttpResponse(queries.log_csv(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="breach-log.csv"'
        return response
    if format == "xlsx":
        return export.log_xlsx_response(rows)
    response = problem(request, 422, "Invalid input", "format: use json, csv or xlsx", errors=[])
    response["Content-Type"] = "application/problem+json"
    return response

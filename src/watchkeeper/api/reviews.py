"""Reports, reviews, follow-up actions and the central register over JSON. Changes go through reviews.services.

404 for an incident the caller may not see (exactly as for an unknown one), 403 for a viewer changing anything,
409 for a stale `version`, 422 for invalid input naming the field.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal, cast

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, StreamingHttpResponse
from ninja import Query, Router, Schema
from ninja.responses import Status

from watchkeeper.api.base import XLSX, Id, Input, also_as_files
from watchkeeper.incidents.queries import get_incident, user_named
from watchkeeper.reviews import queries, register, services, xlsx_export
from watchkeeper.reviews.content import REVIEW_QUESTIONS
from watchkeeper.reviews.models import Action, Review
from watchkeeper.reviews.report import build
from watchkeeper.web.formatting import duration

router = Router(tags=["reviews"])
QUESTION_FIELDS = [question.field for question in REVIEW_QUESTIONS]


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


# Report -------------------------------------------------------------------------------------------------------------


class SectionOut(Schema):
    key: str
    heading: str
    guidance: str
    text: str


class ReportOut(Schema):
    reference: str
    title: str
    service: str
    priority: str
    status: str
    started: datetime
    declared: datetime
    resolved: datetime | None
    incident_lead: str | None
    comms_lead: str | None
    total_duration_minutes: int | None
    total_duration: str
    time_to_fix_minutes: int | None
    time_to_fix: str
    sections: list[SectionOut]
    public_text: str
    publishable: bool
    published_at: datetime | None
    version: int


class ReportIn(Input):
    sections: dict[str, str] | None = None
    public_text: str | None = None
    publishable: bool | None = None
    version: int | None = None


def _minutes(span: Any) -> int | None:
    return None if span is None else int(span.total_seconds() // 60)


def _report_out(request: HttpRequest, reference: str) -> dict[str, Any]:
    content = build(get_incident(request.user, reference))
    incident, report = content.incident, content.report
    return {
        "reference": incident.reference,
        "title": incident.title,
        "service": incident.service.slug,
        "priority": incident.priority,
        "status": incident.status,
        "started": incident.reported_at,
        "declared": incident.declared_at,
        "resolved": incident.resolved_at,
        "incident_lead": incident.incident_lead.get_username() if incident.incident_lead else None,
        "comms_lead": incident.comms_lead.get_username() if incident.comms_lead else None,
        "total_duration_minutes": _minutes(content.total_duration),
        "total_duration": duration(content.total_duration) if content.total_duration is not None else "",
        "time_to_fix_minutes": _minutes(content.time_to_fix),
        "time_to_fix": duration(content.time_to_fix) if content.time_to_fix is not None else "",
        "sections": [
            {"key": s.key, "heading": s.heading, "guidance": s.guidance, "text": text} for s, text in content.sections
        ],
        "public_text": report.public_text,
        "publishable": report.publishable,
        "published_at": report.published_at,
        "version": report.version,
    }


@router.get("/incidents/{reference}/report", response=ReportOut)
def get_report(request: HttpRequest, reference: str) -> dict[str, Any]:
    return _report_out(request, reference)


@router.put("/incidents/{reference}/report", response=ReportOut)
def put_report(request: HttpRequest, reference: str, payload: ReportIn) -> dict[str, Any]:
    incident = get_incident(request.user, reference)
    # A stale version raises Conflict, which api.base answers with 409, here and below.
    services.update_report(
        _actor(request),
        incident,
        sections=payload.sections,
        public_text=payload.public_text,
        publishable=payload.publishable,
        expected_version=payload.version,
    )
    return _report_out(request, reference)


# Review -------------------------------------------------------------------------------------------------------------


class ReviewOut(Schema):
    reference: str
    proposed_for: datetime | None
    due_by: datetime | None
    invitees: list[str]
    held_at: datetime | None
    attendance: str
    root_cause: str
    root_cause_category: str
    answers: dict[str, str]
    recorded_at: datetime | None
    waived_at: datetime | None
    waiver_reason: str
    version: int


class ReviewIn(Input):
    held_at: datetime
    attendance: str
    root_cause: str
    root_cause_category: str
    answers: dict[str, str] = {}
    version: int | None = None


def _review_out(review: Review) -> dict[str, Any]:
    return {
        "reference": review.incident.reference,
        **{name: getattr(review, name) for name in ("proposed_for", "due_by", "held_at", "recorded_at", "waived_at")},
        **{name: getattr(review, name) for name in ("attendance", "root_cause", "root_cause_category")},
        # An incident still open has no review row yet, and so nobody invited.
        "invitees": list(review.invitees.order_by("username").values_list("username", flat=True)) if review.pk else [],
        "answers": {name: getattr(review, name) for name in QUESTION_FIELDS},
        "waiver_reason": review.waiver_reason,
        "version": review.version,
    }


def _review_of(request: HttpRequest, reference: str) -> Review:
    incident = get_incident(request.user, reference)
    return Review.objects.filter(incident=incident).first() or Review(incident=incident)


@router.get("/incidents/{reference}/review", response=ReviewOut)
def get_review(request: HttpRequest, reference: str) -> dict[str, Any]:
    return _review_out(_review_of(request, reference))


@router.put("/incidents/{reference}/review", response=ReviewOut)
def put_review(request: HttpRequest, reference: str, payload: ReviewIn) -> dict[str, Any]:
    incident = get_incident(request.user, reference)
    unknown = sorted(set(payload.answers) - set(QUESTION_FIELDS))
    if unknown:
        raise ValidationError({"answers": f"unknown questions {', '.join(unknown)}: use {', '.join(QUESTION_FIELDS)}"})
    record = payload.dict(exclude={"answers", "version"}) | payload.answers
    review = services.record_review(_actor(request), incident, expected_version=payload.version, **record)
    return _review_out(review)


# Actions ------------------------------------------------------------------------------------------------------------


class ActionOut(Schema):
    id: int
    incident: str
    title: str
    owner: str
    due_at: datetime
    status: str
    link: str
    created_at: datetime
    finished_at: datetime | None

    @staticmethod
    def resolve_incident(obj: Action) -> str:
        return obj.incident.reference

    @staticmethod
    def resolve_owner(obj: Action) -> str:
        return obj.owner.get_username()


class ActionIn(Input):
    title: str
    owner: str
    due_in_business_days: int
    link: str = ""


class ActionPatch(Input):
    title: str | None = None
    owner: str | None = None
    status: Literal["open", "done", "wont_do"] | None = None
    due_in_business_days: int | None = None
    link: str | None = None


@router.get("/incidents/{reference}/actions", response=list[ActionOut])
def list_actions(request: HttpRequest, reference: str) -> list[Action]:
    return list(queries.incident_actions(get_incident(request.user, reference)).select_related("incident"))


@router.post("/incidents/{reference}/actions", response={201: ActionOut})
def create_action(request: HttpRequest, reference: str, payload: ActionIn) -> Status[Action]:
    incident = get_incident(request.user, reference)
    owner = user_named(payload.owner, "owner")
    action = services.add_action(
        _actor(request),
        incident,
        title=payload.title,
        owner=owner,
        due_in_business_days=payload.due_in_business_days,
        link=payload.link,
    )
    return Status(201, action)


@router.patch("/actions/{action_id}", response=ActionOut)
def patch_action(request: HttpRequest, action_id: Id, payload: ActionPatch) -> Action:
    action = queries.actions_for(request.user).filter(pk=action_id).first()
    if action is None:
        raise Http404(f"No action {action_id}")
    changes = payload.dict(exclude_unset=True)
    if changes.get("owner") is not None:
        changes["owner"] = user_named(changes["owner"], "owner")
    return services.update_action(_actor(request), action, **changes)


# Register -----------------------------------------------------------------------------------------------------------


class RegisterQuery(Schema):
    service: str = ""
    team: str = ""
    priority: str = ""
    status: str = ""
    root_cause: str = ""
    response_met: Literal["", "yes", "no"] = ""
    updates_on_time: Literal["", "yes", "no"] = ""
    declared_from: date | None = Query(None, alias="from")  # type: ignore[assignment]
    declared_to: date | None = Query(None, alias="to")  # type: ignore[assignment]
    sort: str = queries.DEFAULT_SORT
    format: Literal["json", "csv", "xlsx"] = "json"
    page: int = 1


class RegisterPage(Schema):
    count: int
    page: int
    pages: int
    rows: list[dict[str, Any]]


@router.get("/register", response=RegisterPage, openapi_extra=also_as_files("text/csv", XLSX))
def get_register(
    request: HttpRequest, filters: Query[RegisterQuery]
) -> StreamingHttpResponse | FileResponse | dict[str, Any]:
    """The register's rows as JSON (a page at a time) or the whole of it as streamed CSV or an XLSX file."""
    wanted = filters.dict(exclude={"sort", "format", "page"})
    found = queries.register(request.user, queries.RegisterFilters(**wanted), filters.sort)
    if filters.format == "csv":
        response = StreamingHttpResponse(register.register_csv(found), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="incident-register.csv"'
        return response
    if filters.format == "xlsx":
        book = xlsx_export.register_xlsx(found)
        return FileResponse(book, as_attachment=True, filename="incident-register.xlsx", content_type=xlsx_export.XLSX)
    page, incidents = register.page_of(found, filters.page, register.PAGE_SIZE * 2)
    rows = []
    for incident in incidents:
        row = register.row(incident)
        rows.append(
            register.values(row)
            | {"total_duration_minutes": _minutes(row.total_duration), "time_to_fix_minutes": _minutes(row.time_to_fix)}
        )
    return {"count": page.paginator.count, "page": page.number, "pages": page.paginator.num_pages, "rows": rows}

"""Schedules, who is on call, shifts, overrides, escalation policies and pages."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Router
from ninja.responses import Status

from watchkeeper.accounts.roles import can_act
from watchkeeper.api.base import Id
from watchkeeper.api.oncall_schemas import (
    OverrideIn,
    PageIn,
    PolicyIn,
    PolicyPatch,
    ScheduleIn,
    SchedulePatch,
    page_out,
    policy_out,
    schedule_out,
)
from watchkeeper.domain.rota import coverage_pct
from watchkeeper.incidents.queries import get_incident
from watchkeeper.incidents.visibility import can_act_on, can_see
from watchkeeper.oncall import queries, services
from watchkeeper.oncall.models import EscalationPolicy, Page, Schedule

router = Router(tags=["on call"])
MAX_WINDOW = timedelta(days=400)


def _schedule(slug: str, layers: bool = False) -> Schedule:
    found = (queries.schedules_with_layers() if layers else queries.schedules()).filter(slug=slug).first()
    if found is None:
        raise Http404(f"No schedule {slug}")
    return found


def _policy(slug: str) -> EscalationPolicy:
    found = queries.policies().filter(slug=slug).first()
    if found is None:
        raise Http404(f"No escalation policy {slug}")
    return found


def _instant(value: str | None, field: str, default: datetime) -> datetime:
    if not value:
        return default
    try:
        parsed = datetime.fromisoformat(value.replace(" ", "+"))  # a bare "+" in a query string arrives as a space
    except ValueError:
        raise ValidationError({field: f"{value!r} is not an ISO 8601 date and time"}) from None
    if parsed.tzinfo is None:
        raise ValidationError({field: "give a UTC offset, such as 2026-10-19T09:00:00+01:00"})
    return parsed


def _dump(payload: Any) -> dict[str, Any]:
    data: dict[str, Any] = payload.dict(exclude_unset=True)
    return data


@router.get("/schedules", response=list[dict[str, Any]])
def list_schedules(request: HttpRequest) -> list[dict[str, Any]]:
    return [schedule_out(s) for s in queries.schedules_with_layers()]


@router.post("/schedules", response={201: dict[str, Any]})
def create_schedule(request: HttpRequest, payload: ScheduleIn) -> Status[dict[str, Any]]:
    data = payload.dict()
    schedule = services.create_schedule(request.user, **data)
    return Status(201, schedule_out(_schedule(schedule.slug, layers=True)))


@router.get("/schedules/{slug}", response=dict[str, Any])
def get_schedule(request: HttpRequest, slug: str) -> dict[str, Any]:
    return schedule_out(_schedule(slug, layers=True))


@router.patch("/schedules/{slug}", response=dict[str, Any])
def update_schedule(request: HttpRequest, slug: str, payload: SchedulePatch) -> dict[str, Any]:
    schedule = services.update_schedule(request.user, _schedule(slug), **_dump(payload))
    return schedule_out(_schedule(schedule.slug, layers=True))


@router.delete("/schedules/{slug}", response={204: None})
def delete_schedule(request: HttpRequest, slug: str) -> Status[None]:
    services.delete_schedule(request.user, _schedule(slug))
    return Status(204, None)


@router.get("/schedules/{slug}/oncall", response=dict[str, Any])
def who_is_on_call(request: HttpRequest, slug: str, at: str | None = None) -> dict[str, Any]:
    schedule = _schedule(slug)
    shift = queries.on_call(schedule, _instant(at, "at", timezone.now()))
    return {
        "user": shift.user,
        "from": shift.start.isoformat(),
        "until": shift.end.isoformat(),
        "source": shift.source or None,
    }


@router.get("/schedules/{slug}/shifts", response=dict[str, Any])
def shifts(request: HttpRequest, slug: str, since: str | None = None, until: str | None = None) -> dict[str, Any]:
    schedule = _schedule(slug)
    begin = _instant(since, "since", timezone.now())
    end = _instant(until, "until", begin + timedelta(days=14))
    if end <= begin:
        raise ValidationError({"until": "until must be after since"})
    if end - begin > MAX_WINDOW:
        raise ValidationError({"until": "ask for at most 400 days at a time"})
    found = queries.shifts(schedule, begin, end)
    return {
        "coverage_pct": coverage_pct(found),
        "shifts": [
            {"start": s.start.isoformat(), "end": s.end.isoformat(), "user": s.user, "source": s.source or None}
            for s in found
        ],
    }


@router.post("/schedules/{slug}/overrides", response={201: dict[str, Any]})
def add_override(request: HttpRequest, slug: str, payload: OverrideIn) -> Status[dict[str, Any]]:
    override = services.add_override(request.user, _schedule(slug), **payload.dict())
    return Status(
        201,
        {
            "id": override.pk,
            "user": override.user.get_username(),
            "start": override.start.isoformat(),
            "end": override.end.isoformat(),
            "reason": override.reason,
        },
    )


@router.get("/escalation-policies", response=list[dict[str, Any]])
def list_policies(request: HttpRequest) -> list[dict[str, Any]]:
    return [policy_out(p) for p in queries.policies()]


@router.post("/escalation-policies", response={201: dict[str, Any]})
def create_policy(request: HttpRequest, payload: PolicyIn) -> Status[dict[str, Any]]:
    policy = services.create_policy(request.user, **payload.dict())
    return Status(201, policy_out(_policy(policy.slug)))


@router.get("/escalation-policies/{slug}", response=dict[str, Any])
def get_policy(request: HttpRequest, slug: str) -> dict[str, Any]:
    return policy_out(_policy(slug))


@router.patch("/escalation-policies/{slug}", response=dict[str, Any])
def update_policy(request: HttpRequest, slug: str, payload: PolicyPatch) -> dict[str, Any]:
    policy = services.update_policy(request.user, _policy(slug), **_dump(payload))
    return policy_out(_policy(policy.slug))


@router.delete("/escalation-policies/{slug}", response={204: None})
def delete_policy(request: HttpRequest, slug: str) -> Status[None]:
    services.delete_policy(request.user, _policy(slug))
    return Status(204, None)


def _page_for(user: Any, page_id: int) -> Page:
    page = queries.pages().filter(pk=page_id).first()
    if page is None or (page.incident is not None and not can_see(user, page.incident)):
        raise Http404(f"No page {page_id}")
    return page


def _trigger(request: HttpRequest, payload: PageIn, summary: str, incident: Any = None) -> Page:
    if not can_act(request.user):
        raise PermissionDenied("Only responders can page people")
    policy = _policy_or_422(payload.policy)
    users = list(User.objects.filter(username__in=payload.users, is_active=True))
    missing = sorted(set(payload.users) - {u.username for u in users})
    if missing:
        raise ValidationError({"users": f"unknown user(s): {', '.join(missing)}"})
    actor = request.user if isinstance(request.user, User) else None
    return services.trigger_page(
        summary=summary,
        policy=policy,
        users=users,
        incident=incident,
        details=payload.details,
        source="api",
        actor=actor,
    )


def _policy_or_422(slug: str | None) -> EscalationPolicy | None:
    if not slug:
        return None
    found = EscalationPolicy.objects.filter(slug=slug).first()
    if found is None:
        raise ValidationError({"policy": f"unknown escalation policy {slug!r}"})
    return found


@router.post("/incidents/{reference}/pages", response={201: dict[str, Any]})
def page_for_incident(request: HttpRequest, reference: str, payload: PageIn) -> Status[dict[str, Any]]:
    incident = get_incident(request.user, reference)
    if not can_act_on(request.user, incident):
        raise PermissionDenied("You cannot act on this incident")
    summary = payload.summary or f"{incident.reference} ({incident.priority}): {incident.title}"
    page = _trigger(request, payload, summary, incident)
    return Status(201, {"id": page.pk, "status": page.status})


@router.post("/pages", response={201: dict[str, Any]})
def page_someone(request: HttpRequest, payload: PageIn) -> Status[dict[str, Any]]:
    page = _trigger(request, payload, payload.summary or "")
    return Status(201, {"id": page.pk, "status": page.status})


@router.post("/pages/{page_id}/ack", response=dict[str, Any])
def acknowledge(request: HttpRequest, page_id: Id) -> dict[str, Any]:
    page = _page_for(request.user, page_id)
    if not can_act(request.user) or not isinstance(request.user, User):
        raise PermissionDenied("Only responders can acknowledge pages")
    page = services.acknowledge_page(page, user=request.user, via="api")
    page = _page_for(request.user, page_id)
    return {
        "status": page.status,
        "by": page.acknowledged_by.get_username() if page.acknowledged_by else None,
        "at": page.acknowledged_at.isoformat() if page.acknowledged_at else None,
    }


@router.get("/pages/{page_id}", response=dict[str, Any])
def get_page(request: HttpRequest, page_id: Id) -> dict[str, Any]:
    return page_out(_page_for(request.user, page_id))

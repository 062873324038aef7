"""Incidents over JSON: declare, read and run an incident. Every change goes through incidents.services.

Errors, in the order a caller meets them: 401 without a valid token, 404 for an incident the caller may not
see (a restricted one answers exactly as an unknown reference does), 403 for a viewer trying to change
anything, 409 for a stale `version` (or a public update on an incident not on the status page), 422 for invalid
input naming the field.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, cast
from urllib.parse import urlencode

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.errors import HttpError
from ninja.responses import Status

from watchkeeper.accounts.roles import can_act
from watchkeeper.api.incident_schemas import (
    MAX_PAGE_SIZE,
    PAGE_SIZE,
    ChecklistIn,
    IncidentIn,
    IncidentOut,
    IncidentPage,
    MeOut,
    NoteIn,
    PriorityIn,
    ReopenIn,
    ResolveIn,
    RoleIn,
    StatusIn,
    TypeIn,
    UpdateIn,
    Versioned,
    attach_flags,
)
from watchkeeper.catalogue import queries as catalogue
from watchkeeper.catalogue.models import Service
from watchkeeper.domain.priority import Priority
from watchkeeper.domain.workflow import Status as IncidentStatus
from watchkeeper.incidents import panels, queries, services
from watchkeeper.incidents.models import Incident, TimelineEntry

router = Router(tags=["incidents"])
Change = Callable[[User, Incident], object]


def _actor(request: HttpRequest) -> User:
    # The bearer-token auth has already put a real, active user here or answered 401.
    return cast(User, request.user)


def _detailed(incidents: QuerySet[Incident]) -> QuerySet[Incident]:
    """Everything the incident JSON shows, fetched in a fixed number of queries however long the list."""
    people = ("incident_lead", "comms_lead", "technical_lead", "declared_by")
    return incidents.select_related("service", *people).prefetch_related(
        Prefetch("timeline", queryset=TimelineEntry.objects.select_related("author").order_by("at", "id")),
        "responders__user",
    )


def _present(incident: Incident) -> Incident:
    # By primary key, not through visibility: whoever just changed an incident may see the result, even if the
    # change (leaving the team, a new restricted type) means they will not see it next time.
    return _detailed(Incident.objects.filter(pk=incident.pk)).get()


def _service_named(slug: str) -> Service:
    """An unknown slug in a request body is invalid input (422), not a missing resource (404)."""
    service = catalogue.services().filter(slug=slug).first()
    if service is None:
        raise ValidationError({"service": f"no service with the short name '{slug}'"})
    return service


def _require_responder(actor: User) -> None:
    # Checked before the input, so a viewer hears "not allowed" rather than how to fix a request they cannot make.
    if not can_act(actor):
        raise PermissionDenied("Viewers can read incidents but not change them")


@contextmanager
def _fields_renamed(**names: str) -> Iterator[None]:
    """Reports a service's field under the name this API uses for it (the service says `note`, we say `reason`)."""
    try:
        yield
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        raise ValidationError({names.get(f, f): messages for f, messages in error.message_dict.items()}) from None


def _version(payload: Versioned | None) -> int | None:
    return payload.version if payload else None


def _act(request: HttpRequest, reference: str, change: Change) -> Incident:
    actor = _actor(request)
    incident = queries.get_incident(actor, reference)
    _require_responder(actor)
    change(actor, incident)  # a stale version raises Conflict: 409 from api.base
    return _present(incident)


def _filters(status: str | None, service: str | None, priority: str | None) -> queries.Filters:
    errors: dict[str, str] = {}
    if status and status != "open":
        try:
            status = IncidentStatus.parse(status).value
        except ValueError:
            errors["status"] = f"unknown status {status!r}: use open, {', '.join(IncidentStatus)}"
    if priority:
        try:
            priority = Priority.parse(priority).value
        except ValueError as error:
            errors["priority"] = str(error)
    if service and not catalogue.services().filter(slug=service).exists():
        errors["service"] = f"no service with the short name '{service}'"
    if errors:
        raise ValidationError(errors)
    return queries.Filters(status=status or None, service=service or None, priority=priority or None)


@router.get("/me", response=MeOut, tags=["accounts"])
def me(request: HttpRequest) -> MeOut:
    """Who this token belongs to, and their groups."""
    actor = _actor(request)
    return MeOut(username=actor.get_username(), groups=sorted(actor.groups.values_list("name", flat=True)))


@router.post("/incidents", response={201: IncidentOut})
def declare(request: HttpRequest, payload: IncidentIn) -> Status[Incident]:
    actor = _actor(request)
    _require_responder(actor)
    fields = payload.dict()
    service = _service_named(fields.pop("service"))
    incident = services.declare(actor, service=service, **fields)
    return Status(201, _present(incident))


@router.get("/incidents", response=IncidentPage)
def list_incidents(
    request: HttpRequest,
    status: str | None = None,
    service: str | None = None,
    priority: str | None = None,
    page: int = Query(1, ge=1, le=10**9),
    limit: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
) -> dict[str, Any]:
    """Newest first, a page at a time as `/register` is. `status` may be `open` (investigating, identified or
    monitoring)."""
    filters = _filters(status, service, priority)
    actor = _actor(request)
    found = queries.incidents_for(actor, filters)
    # Page by id first, then read in full only the incidents on the page, each with its timeline and checklist.
    chosen = Paginator(found.values_list("pk", flat=True), limit).get_page(page)
    by_pk = _detailed(found).in_bulk(list(chosen.object_list))
    rows = attach_flags(actor, [by_pk[pk] for pk in chosen.object_list])
    return {"count": chosen.paginator.count, "page": chosen.number, "pages": chosen.paginator.num_pages, "rows": rows}


@router.get("/incidents/{reference}", response=IncidentOut)
def show(request: HttpRequest, reference: str) -> Incident:
    return _present(queries.get_incident(_actor(request), reference))


def _role(request: HttpRequest, reference: str, role: str, payload: RoleIn) -> Incident:
    def change(actor: User, incident: Incident) -> object:
        user = queries.user_named(payload.username) if payload.username else None
        return services.assign_role(actor, incident, role, user, expected_version=payload.version)

    return _act(request, reference, change)


@router.post("/incidents/{reference}/lead", response=IncidentOut)
def lead(request: HttpRequest, reference: str, payload: RoleIn) -> Incident:
    """Name the incident lead; naming someone else later is a handover."""
    return _role(request, reference, "incident_lead", payload)


@router.post("/incidents/{reference}/comms-lead", response=IncidentOut)
def comms_lead(request: HttpRequest, reference: str, payload: RoleIn) -> Incident:
    return _role(request, reference, "comms_lead", payload)


@router.post("/incidents/{reference}/technical-lead", response=IncidentOut)
def technical_lead(request: HttpRequest, reference: str, payload: RoleIn) -> Incident:
    return _role(request, reference, "technical_lead", payload)


@router.post("/incidents/{reference}/priority", response=IncidentOut)
def priority(request: HttpRequest, reference: str, payload: PriorityIn) -> Incident:
    """Deadlines are recomputed from reported_at with the new priority's policy."""
    return _act(
        request,
        reference,
        lambda actor, incident: services.change_priority(
            actor, incident, payload.priority, payload.reason, expected_version=payload.version
        ),
    )


@router.post("/incidents/{reference}/type", response=IncidentOut)
def incident_type(request: HttpRequest, reference: str, payload: TypeIn) -> Incident:
    """A security incident or personal data breach becomes restricted."""
    return _act(
        request,
        reference,
        lambda actor, incident: services.change_type(
            actor, incident, payload.type, payload.reason, expected_version=payload.version
        ),
    )


@router.post("/incidents/{reference}/status", response=IncidentOut)
def status(request: HttpRequest, reference: str, payload: StatusIn) -> Incident:
    """Along the transition table; `resolved` needs a note (the summary), `investigating` reopens."""

    def change(actor: User, incident: Incident) -> object:
        with _fields_renamed(summary="note"):
            return services.change_status(
                actor, incident, payload.status, payload.note, expected_version=payload.version
            )

    return _act(request, reference, change)


def _require_on_status_page(request: HttpRequest, actor: User, incident: Incident, body: str) -> None:
    """A public update only flows to an incident already open on the status page: anything else would answer
    success while the public page still says all is well. Publishing needs a public title only a person can word,
    so the caller is told how to publish rather than published for."""
    state = panels.public_states(actor, [incident])[incident.pk]
    if state.open_publicly or not incident.is_open:
        # A closed or resolved incident is refused by the service itself, with the reason that applies.
        return
    if not state.href:
        raise HttpError(
            409,
            f"{incident.reference} is not on the status page, so nothing was posted, and you cannot publish it: "
            "post the update without public, or ask an admin to publish it",
        )
    form = request.build_absolute_uri(f"{state.href}?{urlencode({'body': body.strip()})}")
    raise HttpError(
        409,
        f"{incident.reference} is not on the status page, so nothing was posted: publish it with a public title "
        f"(POST /api/v1/status/incidents, or the form at {form}), or post the update without public",
    )


@router.post("/incidents/{reference}/updates", response={201: IncidentOut})
def post_update(request: HttpRequest, reference: str, payload: UpdateIn) -> Status[Incident]:
    """A stakeholder update: it resets the next-update clock. A public one goes on the status page too, so it is
    refused (409) while the incident is not published there."""

    def change(actor: User, incident: Incident) -> object:
        if payload.public and payload.body.strip():
            _require_on_status_page(request, actor, incident, payload.body)
        return services.post_update(
            actor,
            incident,
            payload.body,
            public=payload.public,
            expected_version=payload.version,
            confirm_restricted=payload.confirm_restricted,
        )

    return Status(201, _act(request, reference, change))


@router.post("/incidents/{reference}/notes", response={201: IncidentOut})
def add_note(request: HttpRequest, reference: str, payload: NoteIn) -> Status[Incident]:
    """A note, action or decision on the timeline."""

    def change(actor: User, incident: Incident) -> object:
        return services.add_note(actor, incident, payload.body, payload.kind, expected_version=payload.version)

    return Status(201, _act(request, reference, change))


@router.post("/incidents/{reference}/resolve", response=IncidentOut)
def resolve(request: HttpRequest, reference: str, payload: ResolveIn) -> Incident:
    return _act(
        request,
        reference,
        lambda actor, incident: services.resolve(actor, incident, payload.summary, expected_version=payload.version),
    )


@router.post("/incidents/{reference}/reopen", response=IncidentOut)
def reopen(request: HttpRequest, reference: str, payload: ReopenIn) -> Incident:
    """Back to investigating; the next update is due one interval from now."""

    def change(actor: User, incident: Incident) -> object:
        with _fields_renamed(note="reason"):
            return services.reopen(actor, incident, payload.reason, expected_version=payload.version)

    return _act(request, reference, change)


# Closing, joining and leaving need nothing but the incident, so their body (just a version) may be left out.


@router.post("/incidents/{reference}/close", response=IncidentOut)
def close(request: HttpRequest, reference: str, payload: Versioned | None = None) -> Incident:
    """Admins only, once the incident is resolved and its review recorded or waived."""
    return _act(
        request,
        reference,
        lambda actor, incident: services.close(actor, incident, expected_version=_version(payload)),
    )


@router.post("/incidents/{reference}/join", response=IncidentOut)
def join(request: HttpRequest, reference: str, payload: Versioned | None = None) -> Incident:
    """Join the response team yourself."""

    def change(actor: User, incident: Incident) -> object:
        return services.join(actor, incident, expected_version=_version(payload))

    return _act(request, reference, change)


@router.post("/incidents/{reference}/leave", response=IncidentOut)
def leave(request: HttpRequest, reference: str, payload: Versioned | None = None) -> Incident:
    def change(actor: User, incident: Incident) -> object:
        return services.leave(actor, incident, expected_version=_version(payload))

    return _act(request, reference, change)


@router.post("/incidents/{reference}/checklist", response=IncidentOut)
def tick_step(request: HttpRequest, reference: str, payload: ChecklistIn) -> Incident:
    """Tick a GDS step by hand, for something that happened outside Watchkeeper."""

    def change(actor: User, incident: Incident) -> object:
        return services.tick_step(actor, incident, payload.step, payload.note, expected_version=payload.version)

    return _act(request, reference, change)

"""Incident pages: the dashboard, declaring, and an incident's own page.

Thin on purpose: reads go through queries (which enforce visibility), changes through services.
The action forms on an incident page post to action_views.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from watchkeeper.accounts.roles import can_act, is_admin
from watchkeeper.catalogue import queries as catalogue
from watchkeeper.catalogue.models import Service
from watchkeeper.catalogue.views import services_overview
from watchkeeper.domain.priority import DEFAULT_POLICIES
from watchkeeper.domain.workflow import IncidentType, Status, Step
from watchkeeper.incidents import next_step, panels, queries, services
from watchkeeper.incidents.checklist import StepState, checklist
from watchkeeper.incidents.forms import (
    NOT_SURE,
    CloseForm,
    DeclareForm,
    FilterForm,
    NoteForm,
    PriorityForm,
    ReopenForm,
    RoleForm,
    ServiceChoiceForm,
    StatusForm,
    TickForm,
    UpdateForm,
    priority_hints,
)
from watchkeeper.incidents.models import Incident
from watchkeeper.incidents.visibility import can_act_on
from watchkeeper.web.formatting import Clock, response_clock, update_clock
from watchkeeper.web.govuk_forms import put_errors

FINISHED_PER_PAGE = 20
TYPE_HINTS = {
    t.value: "Restricted: only the response team, the security group and admins can see it."
    for t in IncidentType
    if t.restricted
}


def user_of(request: HttpRequest) -> User:
    # LoginRequiredMiddleware guarantees a signed-in user on every page here.
    return request.user  # type: ignore[return-value]


@dataclass(frozen=True)
class Listed:
    """An incident as the dashboard shows it: its clocks already read against one 'now'."""

    incident: Incident
    response: Clock
    update: Clock


def _listed(incident: Incident, now: datetime) -> Listed:
    return Listed(
        incident,
        response_clock(incident.respond_by, incident.response_met_at, now),
        update_clock(incident.next_update_due, now),
    )


def _pagination(request: HttpRequest, page: Page[Incident]) -> dict[str, Any] | None:
    """Parameters for govukPagination that keep the filters in every link."""
    if page.paginator.num_pages < 2:
        return None

    def href(number: int) -> str:
        query = request.GET.copy()
        query["page"] = str(number)
        return f"?{query.urlencode()}#finished"

    items = [
        {"ellipsis": True}
        if number == Paginator.ELLIPSIS
        else {"number": number, "href": href(int(number)), "current": number == page.number}
        for number in page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    ]
    return {
        "items": items,
        "previous": {"href": href(page.previous_page_number())} if page.has_previous() else None,
        "next": {"href": href(page.next_page_number())} if page.has_next() else None,
        "landmarkLabel": "Resolved and closed incidents pages",
    }


def dashboard(request: HttpRequest) -> HttpResponse:
    """Home: open incidents, most urgent first, then the finished ones a page at a time, then the services."""
    user = user_of(request)
    form = FilterForm(request.GET or None)
    filters = form.filters()
    now = timezone.now()
    finished = Paginator(queries.finished_incidents(user, filters), FINISHED_PER_PAGE).get_page(request.GET.get("page"))
    # What needs a person now comes first: an overdue response, then an overdue update, then no lead.
    open_incidents = sorted(queries.open_incidents(user, filters), key=lambda i: next_step.urgency(i, now).key())
    context = {
        "form": form,
        "open_incidents": [_listed(incident, now) for incident in open_incidents],
        "finished": finished,
        # Other apps' short phrases per incident (the ICO deadline, say), asked for the whole page in one go.
        "flags": panels.flags_for(user, [*open_incidents, *finished.object_list]),
        "pagination": _pagination(request, finished),
        "can_declare": can_act(user),
        "declare_services": list(catalogue.services().order_by("name")) if can_act(user) else [],
        "active_nav": "incidents",
        **services_overview(request),
    }
    return render(request, "incidents/dashboard.html", context)


def _service_named(slug: str | None) -> Service | None:
    return catalogue.services().filter(slug=slug).first() if slug else None


def _declare_page(request: HttpRequest, form: DeclareForm, service: Service | None) -> HttpResponse:
    policies = catalogue.policies_for(service) if service else list(DEFAULT_POLICIES.values())
    context = {
        "form": form,
        "service": service,
        "already_open": list(queries.open_on_service(request.user, service.slug)) if service else [],
        "priority_hints": priority_hints(policies),
        "type_hints": TYPE_HINTS,
        "active_nav": "declare",
    }
    return render(request, "incidents/declare.html", context)


def declare(request: HttpRequest) -> HttpResponse:
    """Two steps: choose the service, see who is already on it, then declare a new incident if still needed."""
    user = user_of(request)
    if not can_act(user):
        return render(request, "incidents/cannot_declare.html", {"active_nav": "declare"}, status=403)
    if request.method == "POST":
        return _declare_submitted(request, user)
    chooser = ServiceChoiceForm(request.GET or None)
    if not chooser.is_valid():
        return render(request, "incidents/declare_service.html", {"form": chooser, "active_nav": "declare"})
    service = chooser.cleaned_data["service"]
    return _declare_page(request, DeclareForm(service=service), service)


def _declare_submitted(request: HttpRequest, user: User) -> HttpResponse:
    service = _service_named(request.POST.get("service"))
    form = DeclareForm(request.POST, service=service)
    if not form.is_valid():
        return _declare_page(request, form, service)
    data = form.cleaned_data
    chosen: Service = data["service"]
    # The page showed the open incidents of one service; if the person switched, they have not seen these.
    if chosen.slug != request.POST.get("checked_service") and queries.open_on_service(user, chosen.slug).exists():
        form.add_error("service", f"There are open incidents on {chosen.name}: check them before declaring")
        return _declare_page(request, form, chosen)
    try:
        incident = services.declare(
            user,
            title=data["title"],
            service=chosen,
            type=data["type"],
            priority=None if data["priority"] == NOT_SURE else data["priority"],
            reported_at=data["reported_at"],
            description=data["description"],
            reporter=data["reporter"],
            take_lead=data["take_lead"],
            idempotency_key=data["idempotency_key"],
        )
    except ValidationError as error:
        put_errors(form, error)
        return _declare_page(request, form, service)
    messages.success(request, f"{incident.reference} declared: {incident.title}")
    return redirect("incidents:incident", reference=incident.reference)


def incident(request: HttpRequest, reference: str) -> HttpResponse:
    return incident_page(request, queries.get_incident(user_of(request), reference))


def open_steps(steps: list[StepState]) -> list[Step]:
    """The GDS steps not yet done: the only ones a person can tick by hand."""
    return [state.step for state in steps if state.done_at is None]


def _action_forms(incident: Incident, user: User, open_steps: list[Step]) -> dict[str, forms.Form]:
    """Every form the page offers, unbound, each prefixed so their fields never share an id."""
    version = {"version": incident.version}
    found: dict[str, forms.Form] = {
        "note": NoteForm(prefix="note"),
        "tick": TickForm(prefix="tick", open_steps=open_steps),
    }
    if incident.is_open:
        found |= {
            "update": UpdateForm(prefix="update", initial=version),
            "status": StatusForm(prefix="status", incident=incident, initial=version),
            "priority": PriorityForm(prefix="priority", initial={**version, "priority": incident.priority}),
            "lead": RoleForm(prefix="lead", initial=version, role="incident lead"),
            "comms": RoleForm(prefix="comms", initial=version, role="comms lead"),
            "technical": RoleForm(prefix="technical", initial=version, role="technical lead"),
        }
    elif incident.status_enum is Status.RESOLVED:
        found |= {"reopen": ReopenForm(prefix="reopen")}
        if is_admin(user):
            found |= {"close": CloseForm(prefix="close", initial=version)}
    return found


def incident_page(request: HttpRequest, incident: Incident, failed: forms.Form | None = None) -> HttpResponse:
    """The incident page, with one form bound and showing its errors when an action was refused."""
    user = user_of(request)
    now = timezone.now()
    steps = checklist(incident)
    acting = can_act_on(user, incident)
    action_forms = _action_forms(incident, user, open_steps(steps)) if acting else {}
    if failed is not None:
        action_forms[failed.prefix or ""] = failed
    policies = catalogue.policies_for(incident.service)
    responders = [r.user for r in incident.responders.filter(left_at__isnull=True).select_related("user")]
    public = panels.public_states(user, [incident])[incident.pk]
    context: dict[str, Any] = {
        "incident": incident,
        "tz": incident.service.timezone,
        "response": response_clock(incident.respond_by, incident.response_met_at, now),
        "update": update_clock(incident.next_update_due, now),
        "responders": responders,
        "on_team": user in responders,
        "checklist": steps,
        "public": public,
        "next": next_step.next_step(incident, steps, public, now),
        "timeline": queries.timeline(incident),
        "policy": catalogue.policy_for(incident.service, incident.priority_enum),
        "policies": policies,
        "priority_hints": priority_hints(policies),
        "forms": action_forms,
        "related": panels.links_for(user, incident),
        "flags": panels.flags_for(user, [incident])[incident.pk],
        "sections": panels.sections(),
        "acting": acting,
        "me": user,
        "active_nav": "incidents",
    }
    if failed is not None:
        # base.html shows the error summary for the context's "form".
        context["form"] = failed
    return render(request, "incidents/incident.html", context)

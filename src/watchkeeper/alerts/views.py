"""Alert pages: open groups per service, a group's alerts and history, and what a responder does with them.

Every change goes through alerts.services; every page needs a login (the intake endpoints are elsewhere).
"""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from watchkeeper.accounts.roles import can_act
from watchkeeper.alerts import queries
from watchkeeper.alerts.models import AlertGroup
from watchkeeper.alerts.services import declaring, groups, paging
from watchkeeper.incidents.queries import get_incident, open_on_service
from watchkeeper.incidents.visibility import can_act_on, can_see

STATUSES = {"open": "Open", "firing": "Firing", "acknowledged": "Acknowledged", "resolved": "Resolved"}


def group_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    if status not in STATUSES:
        status = "open"
    service = request.GET.get("service") or None
    found = list(queries.groups(status=status, service=service)[:200])
    by_service: dict[str, list[AlertGroup]] = {}
    for group in found:
        by_service.setdefault(group.integration.service.name, []).append(group)
    context = {
        "by_service": sorted(by_service.items()),
        # Restricted incidents stay invisible to outsiders, even as a reference on an alert group.
        "visible": {g.pk for g in found if g.incident is not None and can_see(request.user, g.incident)},
        "status": status,
        "statuses": STATUSES,
        "integrations": queries.integrations(),
        "active_nav": "alerts",
    }
    return render(request, "alerts/group_list.html", context)


def _group(pk: int) -> AlertGroup:
    found = queries.groups().filter(pk=pk).first()
    if found is None:
        raise Http404("No such alert group")
    return found


def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    group = _group(pk)
    incident = group.incident if group.incident and can_see(request.user, group.incident) else None
    user = request.user
    candidates = open_on_service(user, group.integration.service.slug) if can_act(user) and not group.incident else []
    context = {
        "group": group,
        "incident": incident,
        "alerts": list(group.alerts.all()),
        "history": list(group.history.select_related("actor").order_by("-at", "-id")[:200]),
        "pages": paging.page_ids(group),
        "can_act": can_act(user),
        "candidates": list(candidates),
        "active_nav": "alerts",
    }
    return render(request, "alerts/group_detail.html", context)


@require_POST
def group_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    group = _group(pk)
    actor = cast(User, request.user)
    try:
        if action == "ack":
            groups.acknowledge_group(actor, group, via="web")
            messages.success(request, "Alert group acknowledged")
        elif action == "resolve":
            groups.resolve_group(actor, group, via="web")
            messages.success(request, "Alert group resolved")
        elif action == "declare":
            incident = declaring.declare_from_group(actor, group, take_lead=request.POST.get("take_lead") == "yes")
            messages.success(request, f"Declared {incident.reference}")
            return redirect("incidents:incident", incident.reference)
        elif action == "link":
            incident = get_incident(request.user, request.POST.get("incident", ""))
            declaring.link_group(actor, group, incident)
            messages.success(request, f"Linked to {incident.reference}")
        else:
            raise Http404("Unknown action")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied as error:
        messages.error(request, str(error) or "You cannot do that")
    return redirect("alerts:group", pk)


def incident_groups(request: HttpRequest, reference: str) -> HttpResponse:
    """The follow-up to resolving an incident: resolve its alert groups too, or leave them open."""
    incident = get_incident(request.user, reference)
    actor = cast(User, request.user)
    if not can_act_on(actor, incident):
        raise PermissionDenied("You can read this incident but not act on it")
    if request.method == "POST":
        try:
            count = groups.resolve_incident_groups(actor, incident)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{count} alert group{'' if count == 1 else 's'} resolved")
        return redirect("incidents:incident", incident.reference)
    context = {"incident": incident, "open_groups": list(queries.open_for_incident(incident)), "active_nav": "alerts"}
    return render(request, "alerts/incident_groups.html", context)

"""Catalogue pages: thin; every change goes through catalogue.services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from watchkeeper.accounts.roles import is_admin
from watchkeeper.catalogue import queries, services
from watchkeeper.catalogue.forms import (
    ClosureForm,
    ComponentForm,
    PriorityOverridesForm,
    ServiceForm,
    TeamForm,
    override_initial,
)
from watchkeeper.catalogue.models import Service, Team
from watchkeeper.domain.priority import DEFAULT_POLICIES
from watchkeeper.govuk_forms import apply_service


def _require_admin(request: HttpRequest) -> None:
    if not is_admin(request.user):
        raise PermissionDenied("Only admins can change the catalogue")


def service_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "catalogue/service_list.html",
        {"services": queries.services(), "active_nav": "services", "can_edit": is_admin(request.user)},
    )


def service_detail(request: HttpRequest, slug: str) -> HttpResponse:
    service = get_object_or_404(queries.services(), slug=slug)
    return render(
        request,
        "catalogue/service_detail.html",
        {
            "service": service,
            "policies": queries.policies_for(service),
            "active_nav": "services",
            "can_edit": is_admin(request.user),
        },
    )


def service_edit(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    _require_admin(request)
    service = get_object_or_404(Service, slug=slug) if slug else None
    form = ServiceForm(request.POST or None, instance=service)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if service is None:
            if apply_service(form, lambda: services.create_service(**data)):
                messages.success(request, f"{data['name']} added")
                return redirect("catalogue:service", slug=data["slug"])
        elif apply_service(form, lambda: services.update_service(service, **data)):
            messages.success(request, f"{data['name']} saved")
            return redirect("catalogue:service", slug=data["slug"])
    return render(request, "catalogue/service_form.html", {"form": form, "service": service, "active_nav": "services"})


def team_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "catalogue/team_list.html",
        {
            "teams": queries.teams().prefetch_related("services"),
            "active_nav": "teams",
            "can_edit": is_admin(request.user),
        },
    )


def team_edit(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    _require_admin(request)
    team = get_object_or_404(Team, slug=slug) if slug else None
    form = TeamForm(request.POST or None, instance=team)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        save = (lambda: services.create_team(**data)) if team is None else (lambda: services.update_team(team, **data))
        if apply_service(form, save):
            messages.success(request, f"{data['name']} saved")
            return redirect("catalogue:teams")
    return render(request, "catalogue/team_form.html", {"form": form, "team": team, "active_nav": "teams"})


def component_add(request: HttpRequest, slug: str) -> HttpResponse:
    _require_admin(request)
    service = get_object_or_404(Service, slug=slug)
    form = ComponentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if apply_service(form, lambda: services.create_component(service=service, **data)):
            messages.success(request, f"{data['name']} added to {service.name}")
            return redirect("catalogue:service", slug=service.slug)
    return render(
        request, "catalogue/component_form.html", {"form": form, "service": service, "active_nav": "services"}
    )


def closure_add(request: HttpRequest, slug: str) -> HttpResponse:
    _require_admin(request)
    service = get_object_or_404(Service, slug=slug)
    form = ClosureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if apply_service(form, lambda: services.add_closure_date(service=service, **data)):
            messages.success(request, f"{service.name} is closed on {data['date']:%-d %B %Y}")
            return redirect("catalogue:service", slug=service.slug)
    return render(request, "catalogue/closure_form.html", {"form": form, "service": service, "active_nav": "services"})


def priority_overrides(request: HttpRequest, slug: str) -> HttpResponse:
    """A service's own response times and update intervals, priority by priority, in place of the GDS defaults."""
    _require_admin(request)
    service = get_object_or_404(Service, slug=slug)
    form = PriorityOverridesForm(request.POST or None, initial=override_initial(queries.overrides(service)))
    saved = (
        request.method == "POST"
        and form.is_valid()
        and apply_service(form, lambda: services.set_priority_overrides(service, form.by_priority()))
    )
    if saved:
        messages.success(request, f"Response times and update intervals for {service.name} saved")
        return redirect("catalogue:service", slug=service.slug)
    return render(
        request,
        "catalogue/priority_overrides_form.html",
        {"form": form, "service": service, "defaults": DEFAULT_POLICIES, "active_nav": "services"},
    )


def services_overview(request: HttpRequest) -> dict[str, object]:
    """The services and their priority tables, shown below the incidents on the home page."""
    all_services = list(queries.services())
    return {
        "services": all_services,
        "policies": {service.pk: queries.policies_for(service) for service in all_services},
        "can_edit": is_admin(request.user),
    }

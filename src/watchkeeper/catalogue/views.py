"""Catalogue pages: thin; every change goes through catalogue.services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import model_to_dict
from django.http import HttpRequest, HttpResponse, QueryDict
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
from watchkeeper.catalogue.models import ClosureDate, Component, Service, Team
from watchkeeper.domain.priority import DEFAULT_POLICIES
from watchkeeper.web.govuk_forms import apply_service, put_errors


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


def _admin_service(request: HttpRequest, slug: str) -> Service:
    _require_admin(request)
    return get_object_or_404(Service, slug=slug)


def _posted(request: HttpRequest) -> QueryDict | None:
    # Bound on any POST, even an empty one: a confirmation form has no fields, and must still be answerable.
    return request.POST if request.method == "POST" else None


def _service_form(
    request: HttpRequest, service: Service, form: forms.BaseForm, save: Callable[[], str], template: str, **extra: Any
) -> HttpResponse:
    """An admin's form about one service. A valid answer goes to ``save``, which changes the catalogue through its
    services and says what it did, and the page goes back to the service; a refusal lands in the GOV.UK error
    summary, and nothing has changed."""
    if request.method == "POST" and form.is_valid():
        try:
            done = save()
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("catalogue:service", slug=service.slug)
    return render(request, template, {"form": form, "service": service, "active_nav": "services", **extra})


def component_add(request: HttpRequest, slug: str) -> HttpResponse:
    service = _admin_service(request, slug)
    form = ComponentForm(_posted(request))

    def save() -> str:
        component = services.create_component(service=service, **form.cleaned_data)
        return f"{component.name} added to {service.name}"

    return _service_form(request, service, form, save, "catalogue/component_form.html")


def component_edit(request: HttpRequest, slug: str, component: str) -> HttpResponse:
    service = _admin_service(request, slug)
    found = get_object_or_404(Component, service=service, slug=component)
    # Initial answers, not the instance: a refused answer must not rename the component on the page that shows it.
    form = ComponentForm(_posted(request), initial=model_to_dict(found, fields=ComponentForm.Meta.fields))

    def save() -> str:
        return f"{services.update_component(found, **form.cleaned_data).name} saved"

    return _service_form(request, service, form, save, "catalogue/component_form.html", component=found)


def component_remove(request: HttpRequest, slug: str, component: str) -> HttpResponse:
    service = _admin_service(request, slug)
    found = get_object_or_404(Component, service=service, slug=component)

    def remove() -> str:
        services.remove_component(found)
        return f"{found.name} removed from {service.name}"

    context = {"component": found, "running": services.open_public_incidents(found)}
    return _service_form(
        request, service, forms.Form(_posted(request)), remove, "catalogue/component_remove.html", **context
    )


def closure_add(request: HttpRequest, slug: str) -> HttpResponse:
    service = _admin_service(request, slug)
    form = ClosureForm(_posted(request))

    def save() -> str:
        closure = services.add_closure_date(service=service, **form.cleaned_data)
        return f"{service.name} is closed on {closure.date:%-d %B %Y}"

    return _service_form(request, service, form, save, "catalogue/closure_form.html")


def closure_remove(request: HttpRequest, slug: str, closure_id: int) -> HttpResponse:
    service = _admin_service(request, slug)
    closure = get_object_or_404(ClosureDate, service=service, pk=closure_id)

    def remove() -> str:
        services.remove_closure_date(closure)
        return f"{closure.date:%-d %B %Y} is no longer a closure date for {service.name}"

    form = forms.Form(_posted(request))
    return _service_form(request, service, form, remove, "catalogue/closure_remove.html", closure=closure)


def priority_overrides(request: HttpRequest, slug: str) -> HttpResponse:
    """A service's own response times and update intervals, priority by priority, in place of the GDS defaults."""
    service = _admin_service(request, slug)
    form = PriorityOverridesForm(_posted(request), initial=override_initial(queries.overrides(service)))

    def save() -> str:
        services.set_priority_overrides(service, form.by_priority())
        return f"Response times and update intervals for {service.name} saved"

    template = "catalogue/priority_overrides_form.html"
    return _service_form(request, service, form, save, template, defaults=DEFAULT_POLICIES)


def services_overview(request: HttpRequest) -> dict[str, object]:
    """The services and their priority tables, shown below the incidents on the home page."""
    all_services = list(queries.services())
    return {
        "services": all_services,
        "policies": {service.pk: queries.policies_for(service) for service in all_services},
        "can_edit": is_admin(request.user),
    }

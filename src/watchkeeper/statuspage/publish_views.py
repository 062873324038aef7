"""The comms lead's pages (signed in): publish incidents, post updates, schedule maintenance."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from watchkeeper.accounts.roles import can_act, is_admin
from watchkeeper.incidents import queries as incident_queries
from watchkeeper.incidents.visibility import can_see
from watchkeeper.statuspage import prefill, queries, services
from watchkeeper.statuspage.forms import (
    MAINTENANCE_STATUS_CHOICES,
    MaintenanceForm,
    PublishForm,
    UpdateForm,
)
from watchkeeper.statuspage.models import PublicIncident
from watchkeeper.statuspage.vocabulary import ComponentStatus
from watchkeeper.web.govuk_forms import apply_service


def _require_publisher(request: HttpRequest) -> None:
    if not can_act(request.user):
        raise PermissionDenied("Only responders can publish to the status page")


def index(request: HttpRequest) -> HttpResponse:
    _require_publisher(request)
    published = set(PublicIncident.objects.filter(incident__isnull=False).values_list("incident_id", flat=True))
    unpublished = [i for i in incident_queries.open_incidents(request.user) if i.pk not in published]
    return render(
        request,
        "statuspage/publish/index.html",
        {
            "open_public": list(queries.unresolved_incidents()),
            "maintenances": list(queries.active_maintenances()) + list(queries.upcoming_maintenances()),
            "unpublished": unpublished,
            "active_nav": "status",
        },
    )


def publish_incident(request: HttpRequest, reference: str) -> HttpResponse:
    _require_publisher(request)
    incident = incident_queries.get_incident(request.user, reference)
    if incident.restricted and not is_admin(request.user):
        raise PermissionDenied("Only an admin can publish a restricted incident")
    form = PublishForm(request.POST or None, initial=prefill.publish_initial(incident, request.GET))
    if not incident.restricted:
        del form.fields["confirm_restricted"]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        created: list[PublicIncident] = []

        def save() -> None:
            created.append(
                services.publish_incident(
                    request.user,  # type: ignore[arg-type]
                    incident,
                    name=data["name"],
                    body=data["body"],
                    status=data["status"],
                    component_statuses=form.component_statuses(),
                    impact_override=data["impact_override"],
                    notify=data["notify"],
                    display_at=data["display_at"],
                    confirm_restricted=data.get("confirm_restricted", False),
                )
            )

        if apply_service(form, save):
            messages.success(request, f"Published to the status page: it says {created[0].get_status_display()}")
            return redirect(reverse("incidents:incident", kwargs={"reference": incident.reference}) + "#summary")
    return render(
        request,
        "statuspage/publish/form.html",
        {
            "form": form,
            "incident": incident,
            "templates": prefill.wording_for(prefill.service_names(incident)),
            "submit_text": "Publish",
            "active_nav": "status",
        },
    )


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_publisher(request)
    public = get_object_or_404(queries.public_incidents(), pk=pk)
    if public.incident is not None and not can_see(request.user, public.incident):
        # As for the incident itself: someone outside a restricted incident learns not even that it exists.
        raise Http404("No public incident here")
    form = UpdateForm(request.POST or None, initial=prefill.update_initial(public, request.GET))
    if not public.frozen:
        del form.fields["confirm_restricted"]
    if public.is_maintenance:
        form.fields["status"].choices = MAINTENANCE_STATUS_CHOICES  # type: ignore[attr-defined]
        form.fields["component_status"].choices = [(s.value, s.label) for s in ComponentStatus]  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def save() -> None:
            services.post_update(
                request.user,  # type: ignore[arg-type]
                public,
                status=data["status"],
                body=data["body"],
                component_statuses=form.component_statuses(),
                notify=data["notify"],
                display_at=data["display_at"],
                confirm_restricted=data.get("confirm_restricted", False),
            )

        if apply_service(form, save):
            if public.incident is not None and request.GET.get("from") == "incident":
                # Back to the incident the person came from, where its summary shows what the public now sees.
                messages.success(request, f"Status page updated: it says {data['status'].capitalize()}")
                url = reverse("incidents:incident", kwargs={"reference": public.incident.reference})
                return redirect(url + "#summary")
            messages.success(request, "Update posted")
            return redirect("statuspage:public-incident", pk=public.pk)
    updates = [(update, queries.delivery_counts(update)) for update in public.updates.all()]
    return render(
        request,
        "statuspage/publish/detail.html",
        {
            "public": public,
            "form": form,
            "updates": updates,
            "templates": prefill.wording_for(services.affected_names(public)),
            "active_nav": "status",
        },
    )


def schedule_maintenance(request: HttpRequest) -> HttpResponse:
    _require_publisher(request)
    form = MaintenanceForm(request.POST or None, initial={"notify": True})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        created: list[PublicIncident] = []

        def save() -> None:
            created.append(
                services.schedule_maintenance(
                    request.user,  # type: ignore[arg-type]
                    name=data["name"],
                    body=data["body"],
                    components=form.chosen_components(),
                    scheduled_for=data["scheduled_for"],
                    scheduled_until=data["scheduled_until"],
                    notify=data["notify"],
                )
            )

        if apply_service(form, save):
            messages.success(request, "Maintenance scheduled")
            return redirect("statuspage:public-incident", pk=created[0].pk)
    return render(
        request,
        "statuspage/publish/form.html",
        {"form": form, "submit_text": "Schedule maintenance", "active_nav": "status"},
    )

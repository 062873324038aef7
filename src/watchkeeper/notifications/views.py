"""Pages for admins to manage channels and routes; every change goes through notifications.services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from watchkeeper.accounts.roles import is_admin
from watchkeeper.notifications import queries, services
from watchkeeper.notifications.forms import ChannelForm, RouteForm
from watchkeeper.notifications.models import Channel, Route
from watchkeeper.web.govuk_forms import apply_service


def _require_admin(request: HttpRequest) -> None:
    if not is_admin(request.user):
        raise PermissionDenied("Only admins can manage notification channels and routes")


def channel_list(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    return render(
        request,
        "notifications/channel_list.html",
        {"channels": queries.channels(), "routes": queries.routes(), "active_nav": "notifications"},
    )


def channel_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require_admin(request)
    channel = get_object_or_404(Channel, pk=pk) if pk else None
    initial = None
    if channel is not None:
        initial = {
            "name": channel.name,
            "kind": channel.kind,
            "target": channel.target,
            "template_id": channel.template_id,
        }
    form = ChannelForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if channel is None:
            saved = apply_service(form, lambda: services.create_channel(request.user, **data))
        else:
            saved = apply_service(form, lambda: services.update_channel(request.user, channel, **data))
        if saved:
            messages.success(request, f"{data['name']} saved")
            return redirect("notifications:channels")
    return render(
        request, "notifications/channel_form.html", {"form": form, "channel": channel, "active_nav": "notifications"}
    )


@require_POST
def channel_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    channel = get_object_or_404(Channel, pk=pk)
    services.delete_channel(request.user, channel)
    messages.success(request, f"{channel.name} deleted")
    return redirect("notifications:channels")


def route_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require_admin(request)
    route = get_object_or_404(Route, pk=pk) if pk else None
    initial = None
    if route is not None:
        initial = {
            "channel": route.channel,
            "service": route.service,
            "audience": route.audience,
            "priorities": route.priorities,
            "incident_types": route.incident_types,
            "events": route.events,
        }
    form = RouteForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if route is None:
            saved = apply_service(form, lambda: services.create_route(request.user, **data))
        else:
            saved = apply_service(form, lambda: services.update_route(request.user, route, **data))
        if saved:
            messages.success(request, "Route saved")
            return redirect("notifications:channels")
    return render(
        request, "notifications/route_form.html", {"form": form, "route": route, "active_nav": "notifications"}
    )


@require_POST
def route_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    services.delete_route(request.user, get_object_or_404(Route, pk=pk))
    messages.success(request, "Route deleted")
    return redirect("notifications:channels")

"""Pages for admins to set up integrations: where each sender posts, what senders got wrong, keys and rotation.

Every change goes through alerts.services.integrations. A key exists in plain text only in the response to the
request that made it: it is rendered there, never redirected to, stored in the session or shown again.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from watchkeeper.accounts.roles import is_admin
from watchkeeper.alerts import queries
from watchkeeper.alerts.forms import IntegrationForm, RotateForm, routes_text
from watchkeeper.alerts.models import Integration
from watchkeeper.alerts.services import integrations
from watchkeeper.catalogue.models import Service
from watchkeeper.web.govuk_forms import apply_service

# Stands for the key in the addresses on the list, where the key itself is no longer known.
KEY_PLACEHOLDER = "{key}"
# What each address from queries.urls is for, in the words of the tool an admin pastes it into.
URL_LABELS = {
    "alertmanager": "Alertmanager webhook_configs url, or Grafana webhook contact point URL",
    "alertmanager_bearer": "Or this URL, with the key in the header Authorization: Bearer",
    "events_v2": "PagerDuty Events API v2 URL (the key is the routing_key, or integration key)",
    "change_events": "PagerDuty change events URL",
    "sns": "Amazon SNS HTTPS subscription endpoint",
    "generic": "URL for scripts: POST JSON with summary, details, dedup_key and action",
    "heartbeat": "Heartbeat URL: POST to it at least once an interval",
}


def _require_admin(request: HttpRequest) -> User:
    if not is_admin(request.user):
        raise PermissionDenied("Only admins can manage integrations")
    return cast(User, request.user)


def _posted(request: HttpRequest) -> Any:
    # Not ``request.POST or None``: a form posted with nothing chosen is still a posted form, and says so.
    return request.POST if request.method == "POST" else None


def integration_list(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    service = request.GET.get("service") or None
    found = list(queries.integrations(service))
    context = {
        "integrations": [(i, queries.urls(i, KEY_PLACEHOLDER)) for i in found],
        "services": Service.objects.filter(integrations__isnull=False).distinct().order_by("name"),
        "service": service,
        "url_labels": URL_LABELS,
        "active_nav": "alerts",
    }
    return render(request, "alerts/integration_list.html", context)


def _key_page(request: HttpRequest, integration: Integration, key: str, *, rotated: bool) -> HttpResponse:
    urls = queries.urls(integration, key)
    context = {"integration": integration, "key": key, "urls": urls, "url_labels": URL_LABELS, "rotated": rotated}
    response = render(request, "alerts/integration_key.html", context | {"active_nav": "alerts"})
    # The key must not outlive this page: no browser or proxy cache may keep a copy to show again.
    response["Cache-Control"] = "no-store"
    return response


def integration_new(request: HttpRequest) -> HttpResponse:
    actor = _require_admin(request)
    initial = {"service": Service.objects.filter(slug=request.GET.get("service", "")).first()}
    form = IntegrationForm(_posted(request), initial=initial)
    made: list[integrations.Created] = []

    def create(data: dict[str, Any]) -> None:
        routes = data.pop("routes")
        with transaction.atomic():
            made.append(integrations.create_integration(actor, **data))
            if routes:
                integrations.set_routes(actor, made[0].integration, routes)

    if request.method == "POST" and form.is_valid() and apply_service(form, lambda: create(dict(form.cleaned_data))):
        return _key_page(request, made[0].integration, made[0].key, rotated=False)
    return render(request, "alerts/integration_form.html", {"form": form, "integration": None, "active_nav": "alerts"})


def integration_edit(request: HttpRequest, integration_id: int) -> HttpResponse:
    actor = _require_admin(request)
    integration = get_object_or_404(queries.integrations(), pk=integration_id)
    initial = {
        "name": integration.name,
        "service": integration.service,
        "policy": integration.policy,
        "heartbeat_interval": int(integration.heartbeat_interval.total_seconds())
        if integration.heartbeat_interval
        else None,
        "grouping": integration.grouping,
        "grouping_labels": ", ".join(integration.grouping_labels),
        "routes": routes_text(integration.routes.all()),
    }
    form = IntegrationForm(_posted(request), initial=initial, kind=integration.kind)

    saved: list[Integration] = []

    def update(data: dict[str, Any]) -> None:
        routes = data.pop("routes")
        with transaction.atomic():
            saved.append(integrations.update_integration(actor, integration, **data))
            integrations.set_routes(actor, integration, routes)

    if request.method == "POST" and form.is_valid() and apply_service(form, lambda: update(dict(form.cleaned_data))):
        messages.success(request, f"{saved[0].name} saved")
        return redirect(f"{_list_url(saved[0])}#integration-{integration.pk}")
    context = {"form": form, "integration": integration, "active_nav": "alerts"}
    return render(request, "alerts/integration_form.html", context)


def _list_url(integration: Integration) -> str:
    return f"{reverse('alerts:integrations')}?service={integration.service.slug}"


def integration_rotate(request: HttpRequest, integration_id: int) -> HttpResponse:
    actor = _require_admin(request)
    integration = get_object_or_404(queries.integrations(), pk=integration_id)
    form = RotateForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        keys: list[str] = []
        overlap = form.cleaned_data["overlap"]
        if apply_service(form, lambda: keys.append(integrations.rotate_key(actor, integration, overlap=overlap))):
            integration.refresh_from_db()
            return _key_page(request, integration, keys[0], rotated=True)
    context = {"form": form, "integration": integration, "active_nav": "alerts"}
    return render(request, "alerts/integration_rotate.html", context)


def integration_delete(request: HttpRequest, integration_id: int) -> HttpResponse:
    actor = _require_admin(request)
    integration = get_object_or_404(queries.integrations(), pk=integration_id)
    if request.method == "POST":
        integrations.delete_integration(actor, integration)
        messages.success(request, f"{integration.name} deleted: its key no longer works")
        return redirect("alerts:integrations")
    context = {"integration": integration, "groups": integration.groups.count(), "active_nav": "alerts"}
    return render(request, "alerts/integration_delete.html", context)

"""The admin's page for a service's incident channels: thin; slackapp.services.policies validates and saves."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from watchkeeper.accounts.roles import is_admin
from watchkeeper.catalogue.models import Service
from watchkeeper.slackapp.forms import ChannelPolicyForm
from watchkeeper.slackapp.models import ChannelPolicy
from watchkeeper.slackapp.services import policies
from watchkeeper.web.govuk_forms import apply_service


def channel_policy(request: HttpRequest, slug: str) -> HttpResponse:
    if not is_admin(request.user):
        raise PermissionDenied("Only admins can change a service's Slack channels")
    service = get_object_or_404(Service, slug=slug)
    policy = ChannelPolicy.objects.filter(service=service).first()
    initial = {"create_channels": "yes" if policy and policy.create_channels else "no"}
    initial["invite"] = ", ".join(policy.invite.split(",")) if policy else ""
    form = ChannelPolicyForm(request.POST if request.method == "POST" else None, initial=initial)
    saved = (
        request.method == "POST"
        and form.is_valid()
        and apply_service(
            form,
            lambda: policies.set_channel_policy(
                service,
                create_channels=form.cleaned_data["create_channels"] == "yes",
                invite=form.cleaned_data["invite"],
            ),
        )
    )
    if saved:
        on = form.cleaned_data["create_channels"] == "yes"
        messages.success(request, f"Incidents on {service.name} {'now get' if on else 'no longer get'} a channel")
        return redirect("catalogue:service", slug=service.slug)
    return render(
        request, "slackapp/channel_policy_form.html", {"form": form, "service": service, "active_nav": "services"}
    )

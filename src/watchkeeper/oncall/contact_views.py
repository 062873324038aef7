"""The signed-in person's own contact methods (add, reorder and remove the ways a page reaches them) and the
address of their shifts as a calendar feed, which they can replace when it has been shared too widely."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from watchkeeper.oncall import queries, services
from watchkeeper.oncall.forms import ContactMethodForm
from watchkeeper.oncall.models import ContactMethod
from watchkeeper.web.govuk_forms import apply_service


def _person(request: HttpRequest) -> User:
    if not isinstance(request.user, User):
        raise PermissionDenied("Sign in to change how you are contacted")
    return request.user


def contact_methods(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    form = ContactMethodForm(request.POST or None)
    saved = (
        request.method == "POST"
        and form.is_valid()
        and apply_service(form, lambda: services.add_contact_method(person, **form.cleaned_data))
    )
    if saved:
        flash.success(request, "Contact method added")
        return redirect("oncall:contact_methods")
    methods = ContactMethod.objects.filter(user=person).order_by("position", "id")
    token = queries.live_calendar_token(person)
    feed = request.build_absolute_uri(reverse("oncall:calendar", kwargs={"token": token})) if token else None
    return render(
        request,
        "oncall/contact_methods.html",
        {"form": form, "methods": methods, "fallback": person.email, "calendar": feed, "active_nav": "oncall"},
    )


@require_POST
def calendar_link(request: HttpRequest) -> HttpResponse:
    """A new calendar address; the old one, if any, stops working at once (anyone holding it sees nothing more)."""
    had_one = queries.live_calendar_token(_person(request)) is not None
    services.revoke_calendar(_person(request))
    flash.success(request, "New calendar link made: the old one no longer works" if had_one else "Calendar link made")
    return redirect("oncall:contact_methods")


@require_POST
def contact_method_action(request: HttpRequest, method_id: int, action: str) -> HttpResponse:
    person = _person(request)
    if action == "remove":
        services.remove_contact_method(person, method_id)
        flash.success(request, "Contact method removed")
    elif action in ("up", "down"):
        services.move_contact_method(person, method_id, up=action == "up")
        flash.success(request, "Order changed")
    else:
        raise PermissionDenied("Unknown action")
    return redirect("oncall:contact_methods")

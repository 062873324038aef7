"""Pages about pages: one page's timeline, acknowledging from the web or from the signed link in an email."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import User
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from watchkeeper.accounts.roles import can_act
from watchkeeper.incidents.visibility import can_see
from watchkeeper.oncall import messages, queries, services
from watchkeeper.oncall.models import Page


def visible_page(request: HttpRequest, page_id: int) -> Page:
    page = get_object_or_404(queries.pages(), pk=page_id)
    if page.incident is not None and not can_see(request.user, page.incident):
        raise Http404("No such page")
    return page


def page_detail(request: HttpRequest, page_id: int) -> HttpResponse:
    page = visible_page(request, page_id)
    return render(
        request,
        "oncall/page.html",
        {
            "page": page,
            "events": page.events.all(),
            "notifications": page.notifications.select_related("user"),
            "can_ack": can_act(request.user),
            "active_nav": "oncall",
        },
    )


@require_POST
def page_ack(request: HttpRequest, page_id: int) -> HttpResponse:
    page = visible_page(request, page_id)
    if not can_act(request.user) or not isinstance(request.user, User):
        raise Http404("No such page")
    done = services.acknowledge_page(page, user=request.user, via="web")
    if done.acknowledged_by_id == request.user.pk:
        flash.success(request, "You acknowledged the page")
    else:
        flash.info(
            request,
            f"Already acknowledged by {done.acknowledged_by.get_username() if done.acknowledged_by else 'someone'}",
        )
    return redirect("oncall:page", page_id=page.pk)


@login_not_required
def ack_link(request: HttpRequest, token: str) -> HttpResponse:
    """The link in a page's email: GET shows a button (mail scanners follow links), POST acknowledges."""
    try:
        data = messages.read_ack_token(token)
    except signing.SignatureExpired:
        return render(request, "oncall/ack_link.html", {"problem": "This link has expired."}, status=410)
    except signing.BadSignature:
        return render(request, "oncall/ack_link.html", {"problem": "This link is not valid."}, status=404)
    page = get_object_or_404(Page, pk=data["page"])
    user = User.objects.filter(pk=int(data.get("user") or 0), is_active=True).first()
    if user is None:
        return render(request, "oncall/ack_link.html", {"problem": "This link is not valid."}, status=404)
    if request.method == "POST":
        page = services.acknowledge_page(page, user=user, via="email")
    return render(request, "oncall/ack_link.html", {"page": page, "user": user, "token": token})

"""Pages about pages: one page's timeline, acknowledging from the web or from the signed link in an email."""

from __future__ import annotations

import hmac
import json

from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import User
from django.core import signing
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from watchkeeper.accounts.roles import can_act
from watchkeeper.incidents import events
from watchkeeper.incidents.visibility import can_see
from watchkeeper.oncall import ics, inbound, messages, queries, services
from watchkeeper.oncall.models import CalendarToken, LayerMember, Override, Page


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


@login_not_required
def calendar(request: HttpRequest, token: str) -> HttpResponse:
    """A whole schedule's shifts (the schedule's token) or one person's across every schedule (theirs)."""

    schedule = queries.schedules().filter(ical_token=token).first()
    if schedule is not None:
        body = ics.feed([schedule], schedule.name)
    else:
        owner = CalendarToken.objects.filter(token=token, revoked_at__isnull=True).select_related("user").first()
        if owner is None:
            raise Http404("No such calendar")
        user = owner.user
        ids = set(LayerMember.objects.filter(user=user).values_list("layer__schedule_id", flat=True))
        ids |= set(Override.objects.filter(user=user).values_list("schedule_id", flat=True))
        mine = list(queries.schedules().filter(pk__in=ids))
        body = ics.feed(mine, f"On call: {user.get_full_name() or user.get_username()}", only=user.get_username())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


@login_not_required
@csrf_exempt
@require_POST
def notify_inbound_sms(request: HttpRequest) -> HttpResponse:
    """GOV.UK Notify's inbound SMS callback, authenticated by the bearer token configured for it."""

    expected = str(settings.ONCALL["NOTIFY_INBOUND_TOKEN"])
    given = request.headers.get("Authorization", "").removeprefix("Bearer ")
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        return HttpResponse(status=401)
    try:
        message = json.loads(request.body)
    except ValueError:
        return HttpResponse("not JSON", status=400)
    if not isinstance(message, dict) or not message.get("source_number"):
        return HttpResponse("no source_number", status=400)
    with transaction.atomic():
        reply = inbound.receive(message)
        events.enqueue("oncall.reply_sms", str(message["source_number"]), reply)
    return HttpResponse(status=204)

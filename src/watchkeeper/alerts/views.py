"""Alert pages: open groups per service, a group's alerts and history, and what a responder does with them."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed


def group_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("alerts")


def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return HttpResponse("group")


def group_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    return HttpResponseNotAllowed(["POST"])

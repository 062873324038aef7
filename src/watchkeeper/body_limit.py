"""A hard cap on request bodies, checked before anything reads one.

DATA_UPLOAD_MAX_MEMORY_SIZE bounds what Django reads into memory but not file parts of a multipart body, which
are parsed to disk whatever their size: an anonymous 60 MB POST to /status/subscribe was parsed in full.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class RequestSizeLimit:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return HttpResponse("Bad request: Content-Length is not a number\n", status=400, content_type="text/plain")
        limit = int(settings.REQUEST_MAX_BYTES)
        if length > limit:
            message = f"Request too large: at most {limit // (1024 * 1024)} MB\n"
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

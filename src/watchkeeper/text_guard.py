"""Text no database can keep is refused where it comes in, and again just before anything is saved.

PostgreSQL cannot store a NUL character and no UTF-8 encoder can write a lone surrogate (a JSON "\\ud800"), so
either one reaching a query answered 500; NUL in a stored title then broke every XML export (.xlsx, .docx).
The middleware refuses them in query strings, forms and JSON bodies with a 4xx naming the field, for the web
pages, the API (and so the CLI) and Slack alike; the pre_save check keeps the rule and every ``max_length`` for
writers that do not come through a request (tasks, management commands).
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse, JsonResponse

BAD_TEXT = re.compile("[\x00\ud800-\udfff]")
# Characters XML 1.0 cannot hold at all: exports drop them from text stored before the rules above.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


def problem(value: str) -> str | None:
    match = BAD_TEXT.search(value)
    if match is None:
        return None
    return "must not contain a NUL character" if match.group() == "\x00" else "must not contain a lone surrogate"


def xml_safe(value: str) -> str:
    return NOT_XML.sub("", value)


def _walk(data: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(data, str):
        if found := problem(data):
            yield path or "body", found
    elif isinstance(data, dict):
        for key, value in data.items():
            inner = f"{path}.{key}" if path else str(key)
            if found := problem(str(key)):
                yield path or "body", f"a field name {found}"
            yield from _walk(value, inner)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _walk(value, f"{path}.{index}" if path else str(index))


def _lists(data: Any) -> dict[str, Any]:
    # A field sent once is named alone ("title"), a repeated one by position ("group.1").
    return {key: values[0] if len(values) == 1 else list(values) for key, values in data.lists()}


def problems(request: HttpRequest) -> list[tuple[str, str]]:
    found = list(_walk(_lists(request.GET), ""))
    if request.method in {"GET", "HEAD", "OPTIONS"}:
        return found
    if request.content_type == "application/json" and request.body:
        # Not JSON at all: the API answers that itself.
        with contextlib.suppress(ValueError):
            found += _walk(json.loads(request.body), "")
    elif request.content_type in FORM_TYPES:
        found += _walk(_lists(request.POST), "")
    return found


class RejectBadText:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        found = problems(request)
        if not found:
            return self.get_response(request)
        errors = [{"field": field, "messages": [why]} for field, why in found]
        detail = "; ".join(f"{field}: {why}" for field, why in found)
        if request.path.startswith("/api/"):
            body = {"type": "about:blank", "title": "Invalid input", "status": 422, "detail": detail, "errors": errors}
            return JsonResponse(body, status=422, content_type="application/problem+json")
        return HttpResponse(f"Bad request: {detail}\n", status=400, content_type="text/plain; charset=utf-8")


def check_instance(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    """pre_save: every text field within its max_length and free of text the database cannot keep."""
    if sender._meta.app_label not in settings.WATCHKEEPER_APPS:
        return
    errors: dict[str, str] = {}
    for field in instance._meta.concrete_fields:
        value = getattr(instance, field.attname, None)
        if not isinstance(value, str) or not isinstance(field, models.CharField | models.TextField):
            continue
        if found := problem(value):
            errors[field.name] = f"The {field.verbose_name} {found}"
        elif field.max_length is not None and len(value) > field.max_length:
            errors[field.name] = f"Enter at most {field.max_length} characters for the {field.verbose_name}"
    if errors:
        raise ValidationError(errors)

from __future__ import annotations

from typing import Annotated, Any

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.schema import DjangoGetter
from ninja.security import HttpBearer
from pydantic import ConfigDict, Field, model_validator

from watchkeeper.accounts.services import user_for_token
from watchkeeper.health import unavailable
from watchkeeper.incidents.services import Conflict

# Database ids are signed 64-bit integers: a bigger number in a path is a 422, not an overflow deep in a query.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


def also_as_files(*media_types: str) -> dict[str, Any]:
    """OpenAPI for a 200 that may also be a download (``format=csv`` or ``xlsx``), so clients and fuzzers expect it."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    # ninja keys responses by the int status code: a "200" string key would replace the JSON answer.
    return {"responses": {200: {"content": dict.fromkeys(media_types, binary)}}}


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Input(Schema):
    """Every request body: a JSON object with only the fields the schema names (a typo is a 422, not ignored)."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, value: Any) -> Any:
        # ninja hands the body over wrapped; without this check [] or "x" read as an object with every field unset.
        inner = value._obj if isinstance(value, DjangoGetter) else value
        if not isinstance(inner, dict):
            raise ValueError("The body must be a JSON object")
        return value


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is not None:
            request.user = user  # type: ignore[assignment]  # any user model, as AUTH_USER_MODEL allows
        return user


class WatchkeeperApi(NinjaAPI):
    def _get_urls(self) -> Any:
        # The API authenticates with bearer tokens, not sessions, so the login redirect must not apply.
        patterns = super()._get_urls()
        for pattern in patterns:
            if isinstance(pattern, URLPattern) and pattern.callback is not None:
                login_not_required(pattern.callback)
        return patterns


api = WatchkeeperApi(
    title="Watchkeeper API",
    version="1",
    description="Incident management the GDS Way. Authenticate with `Authorization: Bearer <token>`.",
    auth=BearerToken(),
    docs_url="/docs",
    urls_namespace="api-1",
)


def problem(request: HttpRequest, status: int, title: str, detail: str, **extra: Any) -> HttpResponse:
    """An RFC 9457 problem document."""
    return api.create_response(
        request, {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}, status=status
    )


def _problem_response(response: HttpResponse) -> HttpResponse:
    response["Content-Type"] = "application/problem+json"
    return response


@api.exception_handler(AuthenticationError)
def unauthorised(request: HttpRequest, exc: Exception) -> HttpResponse:
    response = _problem_response(
        problem(request, 401, "Unauthorised", "Send a valid API token: Authorization: Bearer <token>")
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _problem_response(problem(request, 403, "Forbidden", str(exc) or "You do not have permission to do that"))


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _problem_response(problem(request, 404, "Not found", str(exc) or "Not found"))


def _invalid(request: HttpRequest, errors: list[dict[str, Any]]) -> HttpResponse:
    """422 naming each field, so a script can tell which part of its request to fix."""
    detail = "; ".join(
        f"{e['field']}: {' '.join(e['messages'])}" if e["field"] else " ".join(e["messages"]) for e in errors
    )
    return _problem_response(problem(request, 422, "Invalid input", detail, errors=errors))


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    by_field = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
    return _invalid(
        request,
        [{"field": "" if f == "__all__" else f, "messages": list(messages)} for f, messages in by_field.items()],
    )


@api.exception_handler(SchemaValidationError)
def invalid_schema(request: HttpRequest, exc: SchemaValidationError) -> HttpResponse:
    errors = []
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", [])[1:] if part not in {"body", "payload"}]
        errors.append({"field": ".".join(location) or "body", "messages": [error.get("msg", "invalid")]})
    return _invalid(request, errors)


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def database_unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
    return unavailable(request, exc)


@api.exception_handler(Conflict)
def conflict(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A stale version: someone else changed the incident, report or review since the caller read it."""
    return _problem_response(problem(request, 409, "Conflict", str(exc)))


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _problem_response(problem(request, exc.status_code, "Error", str(exc)))

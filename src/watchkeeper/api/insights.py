"""Insights over JSON and as a spreadsheet: read-only, over the incidents the caller may see.

`from` and `to` are local dates (inclusive) on which incidents were declared; `priority`, `service` and `team`
narrow the set; `exercises=include` brings drills and game days back in. Bad input is a 422 naming the field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from watchkeeper.api.incidents import _actor
from watchkeeper.insights import export, measures
from watchkeeper.insights.forms import parse_scope
from watchkeeper.insights.queries import Scope, facts_for

router = Router(tags=["insights"])


class Filters(Schema):
    """Declared for the OpenAPI document; the values are read and checked by insights.forms.parse_scope."""

    from_: str | None = Field(
        None, alias="from", description="First local date declared, YYYY-MM-DD (default: a year ago)"
    )
    to: str | None = Field(None, description="Last local date declared, YYYY-MM-DD (default: today); at most 5 years")
    priority: str | None = Field(None, description="P1, P2, P3 or P4")
    service: str | None = Field(None, description="A service's short name")
    team: str | None = Field(None, description="A team's short name")
    exercises: str | None = Field(None, description="`include` to count exercises (drills, game days) too")


def _scope_and_now(request: HttpRequest) -> tuple[Scope, datetime]:
    now = timezone.now()
    return parse_scope(request.GET, timezone.localdate(now)), now


@router.get("/insights", summary="Response, update, review and breach figures for a period")
def insights(request: HttpRequest, filters: Query[Filters]) -> dict[str, Any]:
    """Overall and by priority, service and team: counts, shares as {met, of, pct}, times as {median, p90}."""
    scope, now = _scope_and_now(request)
    return measures.summary(_actor(request), scope, now)


@router.get("/insights/incidents", summary="One row per incident, to reproduce every figure")
def incidents(request: HttpRequest, filters: Query[Filters], format: str = "csv") -> HttpResponseBase:
    """`format=csv` (default) or `format=xlsx`; the same filters as /insights."""
    if format not in {"csv", "xlsx"}:
        raise ValidationError({"format": "use csv or xlsx"})
    scope, now = _scope_and_now(request)
    return export.export_response(facts_for(_actor(request), scope, now), scope, format)

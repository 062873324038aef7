"""The filters every insights reader accepts (API, export, page), validated in one place."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict

from watchkeeper.catalogue.models import Service, Team
from watchkeeper.domain.priority import Priority
from watchkeeper.insights.queries import Scope

MAX_RANGE = 5 * 366  # days: five years, leap days included
DEFAULT_RANGE = 365


def _date(params: Mapping[str, str], name: str, errors: dict[str, str]) -> date | None:
    text = (params.get(name) or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[name] = f"Enter the {name} date as YYYY-MM-DD, for example 2026-04-01"
        return None


def _truthy(text: str | None) -> bool:
    return (text or "").strip().lower() in {"1", "true", "yes", "on", "include"}


def parse_scope(params: Mapping[str, str], today: date) -> Scope:
    """A Scope from query parameters; bad input raises one ValidationError naming every field at fault.

    Without dates the summary covers the last year to today; ``from`` after ``to``, or a range longer than five
    years, is refused rather than silently trimmed.
    """
    errors: dict[str, str] = {}
    start, end = _date(params, "from", errors), _date(params, "to", errors)
    end = end or today
    start = start or end - timedelta(days=DEFAULT_RANGE - 1)
    if "from" not in errors and "to" not in errors:
        if start > end:
            errors["from"] = "The from date must be on or before the to date"
        elif (end - start).days + 1 > MAX_RANGE:
            errors["to"] = "Ask for at most 5 years at a time"
    priority = (params.get("priority") or "").strip() or None
    if priority:
        try:
            priority = Priority.parse(priority).value
        except ValueError as error:
            errors["priority"] = str(error)
    service = (params.get("service") or "").strip() or None
    if service and not Service.objects.filter(slug=service).exists():
        errors["service"] = f"no service with the short name '{service}'"
    team = (params.get("team") or "").strip() or None
    if team and not Team.objects.filter(slug=team).exists():
        errors["team"] = f"no team with the short name '{team}'"
    if errors:
        raise ValidationError(errors)
    return Scope(start, end, priority, service, team, _truthy(params.get("exercises")))


class InsightsFilterForm(forms.Form):
    """The Insights page's filters; the same rules as the API, shown as a GOV.UK error summary."""

    def __init__(self, data: QueryDict | None, today: date) -> None:
        super().__init__(data)
        self.today = today
        self.scope: Scope | None = None
        date_hint = "YYYY-MM-DD, the day incidents were declared"
        self.fields = {
            "from": forms.CharField(label="From", required=False, help_text=date_hint),
            "to": forms.CharField(label="To", required=False, help_text=date_hint),
            "priority": forms.ChoiceField(
                label="Priority", required=False, choices=[("", "Any"), *((p.value, p.value) for p in Priority)]
            ),
            "service": forms.ChoiceField(
                label="Service", required=False, choices=[("", "Any"), *Service.objects.values_list("slug", "name")]
            ),
            "team": forms.ChoiceField(
                label="Team", required=False, choices=[("", "Any"), *Team.objects.values_list("slug", "name")]
            ),
            "exercises": forms.BooleanField(label="Include exercises (drills and game days)", required=False),
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        try:
            self.scope = parse_scope(self.data, self.today)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                if name in self.fields and name not in self.errors:
                    self.add_error(name, messages)
        return cleaned

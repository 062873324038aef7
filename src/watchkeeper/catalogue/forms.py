from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms

from watchkeeper.catalogue.models import (
    DIVISION_CHOICES,
    SPAN_KIND_CHOICES,
    ClosureDate,
    Component,
    PriorityOverride,
    Service,
    Team,
)
from watchkeeper.domain.priority import Priority


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name", "slug", "email"]
        labels = {"slug": "Short name", "email": "Team email address"}
        help_texts = {"slug": "Lower case letters, numbers and hyphens, used in links. For example, payments-team."}


class ServiceForm(forms.ModelForm):
    division = forms.ChoiceField(
        choices=DIVISION_CHOICES,
        label="Bank holidays",
        help_text="Whose bank holidays close the office.",
        widget=forms.RadioSelect,
    )
    opening = forms.TimeField(label="Office opens", help_text="Local time, 24-hour clock. For example, 09:30.")
    closing = forms.TimeField(label="Office closes", help_text="Local time, 24-hour clock. For example, 17:30.")

    class Meta:
        model = Service
        fields = ["name", "slug", "team", "description", "division", "opening", "closing", "working_days", "timezone"]
        labels = {"slug": "Short name", "timezone": "Time zone"}
        help_texts = {
            "slug": "Lower case letters, numbers and hyphens, used in links and the CLI. For example, pay-api.",
            "timezone": "For example, Europe/London.",
        }
        error_messages = {
            "name": {"required": "Enter the service name"},
            "slug": {"required": "Enter a short name", "unique": "Another service already uses this short name"},
            "team": {"required": "Select the team that runs the service"},
        }


class ComponentForm(forms.ModelForm):
    class Meta:
        model = Component
        fields = ["name", "slug", "description", "position"]
        labels = {"slug": "Short name", "position": "Order on the status page"}


class ClosureForm(forms.ModelForm):
    date = forms.DateField(
        label="Date the office is closed",
        help_text="For example, 2026-12-24.",
        error_messages={
            "required": "Enter the date the office is closed",
            "invalid": "Enter a real date, for example 2026-12-24",
        },
    )

    class Meta:
        model = ClosureDate
        fields = ["date", "reason"]
        labels = {"reason": "Reason (optional)"}
        help_texts = {"reason": "For example, team away day."}


CLOCKS = [("", "GDS default"), *SPAN_KIND_CHOICES]
# Each priority's two clocks, as set_priority_override names them: (kind field, amount field, words for errors).
CLOCK_FIELDS = (
    ("respond_kind", "respond_amount", "response time"),
    ("update_kind", "update_amount", "update interval"),
)


class PriorityOverridesForm(forms.Form):
    """Every priority's response time and update interval for one service; a blank pair keeps the GDS default."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for priority in Priority:
            p = priority.value
            self.fields[f"{p}_respond_amount"] = _amount(f"{p} response time")
            self.fields[f"{p}_respond_kind"] = forms.ChoiceField(
                choices=CLOCKS, required=False, label=f"{p} response clock"
            )
            self.fields[f"{p}_update_amount"] = _amount(f"{p} update interval")
            self.fields[f"{p}_update_kind"] = forms.ChoiceField(
                choices=CLOCKS, required=False, label=f"{p} update clock"
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for priority in Priority:
            for kind, amount, words in CLOCK_FIELDS:
                kind_name, amount_name = f"{priority}_{kind}", f"{priority}_{amount}"
                if amount_name in self.errors:
                    continue
                if data.get(amount_name) is not None and not data.get(kind_name):
                    self.add_error(kind_name, f"Select the clock for the {priority} {words}")
                elif data.get(kind_name) and data.get(amount_name) is None:
                    self.add_error(amount_name, f"Enter the {priority} {words}")
        return data

    def by_priority(self) -> dict[str, dict[str, Any]]:
        """The cleaned answers as set_priority_override takes them, one entry per priority."""
        return {
            priority.value: {
                name: self.cleaned_data[f"{priority}_{name}"]
                for kind, amount, _ in CLOCK_FIELDS
                for name in (kind, amount)
            }
            for priority in Priority
        }


def _amount(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=1,
        help_text="Minutes, or days on the business days clock. Leave blank for the GDS default.",
        error_messages={
            "invalid": f"Enter the {label} as a whole number",
            "min_value": f"The {label} must be at least 1",
        },
    )


def override_initial(overrides: Iterable[PriorityOverride]) -> dict[str, Any]:
    """The form's starting answers from a service's stored overrides."""
    return {
        f"{o.priority}_{name}": getattr(o, name)
        for o in overrides
        for name in ("respond_kind", "respond_amount", "update_kind", "update_amount")
    }

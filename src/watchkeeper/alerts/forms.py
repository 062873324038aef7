"""Forms for integrations; alerts.services does the real validation and the view shows its errors on these."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django import forms

from watchkeeper.alerts.models import Kind, LabelRoute
from watchkeeper.catalogue.models import Service
from watchkeeper.domain.alerting import GroupingRule
from watchkeeper.domain.priority import Priority
from watchkeeper.oncall.models import EscalationPolicy
from watchkeeper.web.govuk_forms import name_every_error

GROUPING_CHOICES = [
    (GroupingRule.DEDUP_KEY.value, "Each alert on its own (unless the sender groups them, as Alertmanager does)"),
    (GroupingRule.LABELS.value, "Alerts with the same values of the labels named below"),
    (GroupingRule.SINGLE.value, "Every open alert of this integration in one group"),
]
OVERLAP_CHOICES = [
    ("0", "None: the old key stops working now"),
    ("1", "1 hour"),
    ("24", "1 day"),
    ("168", "7 days"),
]
ROUTES_HINT = (
    "One route a line, the first that matches an alert decides: the labels to match, a colon, then a priority "
    "(P1 to P4) and, if wanted, declare (declare the incident without waiting for a person) or no-page. "
    "For example: severity=critical: P1"
)


class IntegrationForm(forms.Form):
    name = forms.CharField(max_length=200, error_messages={"required": "Enter a name for the integration"})
    service = forms.ModelChoiceField(
        queryset=Service.objects.all(), empty_label=None, error_messages={"required": "Select a service"}
    )
    policy = forms.ModelChoiceField(
        queryset=EscalationPolicy.objects.all(),
        required=False,
        empty_label="Nobody: show the alert groups without paging",
        label="Escalation policy",
        help_text="Who a new alert group pages.",
    )
    kind = forms.ChoiceField(choices=Kind.choices, label="What sends the alerts", widget=forms.RadioSelect)
    heartbeat_interval = forms.IntegerField(
        required=False,
        min_value=10,
        label="Expected interval between heartbeats, in seconds",
        help_text="Heartbeats only. A heartbeat that does not come within this time raises an alert. At least 10.",
        error_messages={
            "min_value": "A heartbeat needs an expected interval of at least 10 seconds",
            "invalid": "Enter the interval as a whole number of seconds, like 300",
        },
    )
    grouping = forms.ChoiceField(
        choices=GROUPING_CHOICES, initial=GroupingRule.DEDUP_KEY.value, widget=forms.RadioSelect, label="Grouping"
    )
    grouping_labels = forms.CharField(
        required=False,
        max_length=500,
        label="Labels to group by",
        help_text="Label names separated by commas, like alertname, cluster.",
    )
    routes = forms.CharField(required=False, widget=forms.Textarea, label="Label routes", help_text=ROUTES_HINT)

    def __init__(self, *args: Any, kind: str | None = None, **kwargs: Any) -> None:
        """``kind`` is the kind of the integration being changed: the kind decides which endpoint a sender posts
        to, so a new kind is a new integration, and the form does not offer it."""
        super().__init__(*args, **kwargs)
        self.fixed_kind = kind
        if kind is not None:
            del self.fields["kind"]
        name_every_error(self)

    def clean_heartbeat_interval(self) -> timedelta | None:
        seconds = self.cleaned_data.get("heartbeat_interval")
        return timedelta(seconds=seconds) if seconds is not None else None

    def clean_grouping_labels(self) -> list[str]:
        return [label.strip() for label in self.cleaned_data.get("grouping_labels", "").split(",") if label.strip()]

    def clean_routes(self) -> list[dict[str, Any]]:
        routes, problems = [], []
        for number, line in enumerate(self.cleaned_data.get("routes", "").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                routes.append(parse_route(line))
            except ValueError as error:
                problems.append(f"Label routes line {number}: {error}")
        if problems:
            raise forms.ValidationError(problems)
        return routes

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind", self.fixed_kind) != Kind.HEARTBEAT:
            # Only a heartbeat has an interval; whatever was typed before the kind changed is not kept or judged.
            data["heartbeat_interval"] = None
            self.errors.pop("heartbeat_interval", None)
        return data


def parse_route(line: str) -> dict[str, Any]:
    """'severity=critical, team=db: P1 declare' as the route the service stores."""
    # The last colon: a label value may hold one (instance=db-1:9100), the priority and options never do.
    labels, colon, rest = line.rpartition(":")
    if not colon:
        raise ValueError("put a colon between the labels and the priority, like severity=critical: P1")
    matchers: dict[str, str] = {}
    for pair in labels.split(","):
        name, equals, value = (part.strip() for part in pair.partition("="))
        if not equals or not name or not value:
            raise ValueError(f"write each label as name=value, not {pair.strip()!r}")
        matchers[name] = value
    route: dict[str, Any] = {"matchers": matchers, "priority": "", "page": True, "auto_declare": False}
    for word in rest.split():
        if word.upper() in {p.value for p in Priority}:
            route["priority"] = word.upper()
        elif word.lower() == "declare":
            route["auto_declare"] = True
        elif word.lower() == "no-page":
            route["page"] = False
        else:
            raise ValueError(f"{word!r} is not a priority (P1 to P4), declare or no-page")
    return route


def routes_text(routes: Iterable[LabelRoute]) -> str:
    """The routes as the form's lines, so editing shows what is stored."""
    lines = []
    for route in routes:
        labels = ", ".join(f"{name}={value}" for name, value in route.matchers.items())
        words = [route.priority] if route.priority else []
        words += ["declare"] if route.auto_declare else []
        words += [] if route.page else ["no-page"]
        lines.append(f"{labels}: {' '.join(words)}".rstrip())
    return "\n".join(lines)


class RotateForm(forms.Form):
    overlap = forms.ChoiceField(
        choices=OVERLAP_CHOICES,
        initial="24",
        widget=forms.RadioSelect,
        label="How long should the old key keep working?",
        help_text="Long enough to put the new key into every sender.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        name_every_error(self)

    def clean_overlap(self) -> timedelta:
        return timedelta(hours=int(self.cleaned_data["overlap"]))

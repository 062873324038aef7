"""Forms for sign-up and for the comms lead; they check shape, the service functions check meaning."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms

from watchkeeper.catalogue.models import Component
from watchkeeper.statuspage import conf
from watchkeeper.statuspage.vocabulary import ComponentStatus, Impact, IncidentStatus, MaintenanceStatus
from watchkeeper.web.formatting import parse_local
from watchkeeper.web.govuk_forms import name_every_error

SCOPE_CHOICES = [("all", "Every component"), ("chosen", "Only the components I choose")]
COMPONENT_STATUS_CHOICES = [(s.value, s.label) for s in ComponentStatus if s is not ComponentStatus.UNDER_MAINTENANCE]
INCIDENT_STATUS_CHOICES = [(s.value, s.value.capitalize()) for s in IncidentStatus]
IMPACT_CHOICES = [("", "Work it out from the component statuses")] + [
    (i.value, i.value.capitalize()) for i in Impact if i is not Impact.MAINTENANCE
]


def component_choices() -> list[tuple[str, str]]:
    found = Component.objects.select_related("service").order_by("service__name", "position", "name")
    return [(str(c.pk), f"{c.service.name}: {c.name}") for c in found]


class ComponentChoiceMixin(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["components"].choices = component_choices()  # type: ignore[attr-defined]
        name_every_error(self)

    def chosen_components(self) -> list[Component]:
        ids = [int(i) for i in self.cleaned_data.get("components") or []]
        return list(Component.objects.filter(pk__in=ids).order_by("service__name", "position"))


class SubscribeForm(ComponentChoiceMixin):
    email = forms.EmailField(
        label="Email address",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    scope = forms.ChoiceField(
        label="What do you want updates about?", choices=SCOPE_CHOICES, widget=forms.RadioSelect, initial="all"
    )
    components = forms.MultipleChoiceField(
        label="Components", required=False, widget=forms.CheckboxSelectMultiple, help_text="Select all that apply."
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("scope") == "chosen" and not data.get("components"):
            self.add_error("components", "Select at least one component, or choose every component")
        return data

    def selection(self) -> list[Component] | None:
        """None means every component."""
        return None if self.cleaned_data["scope"] == "all" else self.chosen_components()


class WebhookSubscribeForm(SubscribeForm):
    endpoint = forms.URLField(
        label="Webhook address",
        assume_scheme="https",
        max_length=500,
        help_text="We will POST each update here as JSON, signed as the Standard Webhooks specification says.",
        error_messages={"required": "Enter the webhook address", "invalid": "Enter a full https:// address"},
    )
    field_order = ["endpoint", "email", "scope", "components"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].help_text = "We send the confirmation link here, and tell you if the webhook fails."


class SmsSubscribeForm(SubscribeForm):
    phone = forms.CharField(
        label="Mobile phone number",
        max_length=30,
        help_text="We text you when an incident starts and when it is resolved. UK numbers start 07.",
        error_messages={"required": "Enter your mobile phone number"},
    )
    field_order = ["phone", "scope", "components"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["email"]


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=12,
        help_text="The 6-digit code in the text message we sent you",
        error_messages={"required": "Enter the code from the text message"},
    )


class ManageForm(SubscribeForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["email"]


def _local(text: str, field: str) -> datetime | None:
    if not text.strip():
        return None
    try:
        return parse_local(text, conf.time_zone())
    except ValueError as error:
        raise forms.ValidationError(str(error), code=field) from None


class UpdateForm(ComponentChoiceMixin):
    status = forms.ChoiceField(
        label="Status",
        choices=INCIDENT_STATUS_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the status the public will see", "invalid_choice": "Choose a status"},
    )
    body = forms.CharField(
        label="Message",
        required=False,
        widget=forms.Textarea,
        help_text="What users see. Leave it empty to use the standard wording for the status.",
    )
    components = forms.MultipleChoiceField(
        label="Affected components",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Subscribers to a component are told only if you select it.",
    )
    component_status = forms.ChoiceField(
        label="Status of the selected components",
        choices=COMPONENT_STATUS_CHOICES,
        widget=forms.RadioSelect,
        initial=ComponentStatus.PARTIAL_OUTAGE.value,
        error_messages={
            "required": "Choose the status of the selected components",
            "invalid_choice": "Choose one of the component statuses listed",
        },
    )
    notify = forms.BooleanField(label="Email subscribers about this update", required=False, initial=True)
    display_at = forms.CharField(
        label="Shown as posted at (optional)",
        required=False,
        help_text="To backfill an update after the event, give the time, for example 2026-11-30 09:45. "
        "Backfilled updates notify nobody.",
    )

    confirm_restricted = forms.BooleanField(
        label="I am an admin and I confirm this restricted incident may be published", required=False
    )

    def clean_display_at(self) -> datetime | None:
        return _local(self.cleaned_data["display_at"], "display_at")

    def component_statuses(self) -> dict[Component, str]:
        return {c: self.cleaned_data["component_status"] for c in self.chosen_components()}


class PublishForm(UpdateForm):
    name = forms.CharField(
        label="Public title",
        max_length=200,
        help_text="Say how users are affected, in plain English, for example 'Delay in publishing content'.",
        error_messages={
            "required": "Enter a public title that says how users are affected",
            "max_length": "Public title must be 200 characters or fewer",
        },
    )
    impact_override = forms.ChoiceField(
        label="Impact",
        choices=IMPACT_CHOICES,
        required=False,
        error_messages={"invalid_choice": "Choose an impact from the list, or let the component statuses decide"},
    )
    field_order = ["name", "status", "body", "components", "component_status", "impact_override", "notify"]


class MaintenanceForm(ComponentChoiceMixin):
    name = forms.CharField(
        label="Title", max_length=200, error_messages={"required": "Enter a title for the maintenance"}
    )
    body = forms.CharField(
        label="What users can expect",
        widget=forms.Textarea,
        error_messages={"required": "Say what users can expect during the maintenance"},
    )
    components = forms.MultipleChoiceField(
        label="Components under maintenance", required=False, widget=forms.CheckboxSelectMultiple
    )
    scheduled_for = forms.CharField(
        label="Starts",
        help_text="For example 2026-11-30 22:00",
        error_messages={"required": "Enter when the maintenance starts, like 2026-11-30 22:00"},
    )
    scheduled_until = forms.CharField(
        label="Ends",
        help_text="For example 2026-11-30 23:30",
        error_messages={"required": "Enter when the maintenance ends, like 2026-11-30 23:30"},
    )
    notify = forms.BooleanField(
        label=f"Email subscribers now and {conf.reminder_minutes()} minutes before it starts",
        required=False,
        initial=True,
    )

    def clean_scheduled_for(self) -> datetime | None:
        return _local(self.cleaned_data["scheduled_for"], "scheduled_for")

    def clean_scheduled_until(self) -> datetime | None:
        return _local(self.cleaned_data["scheduled_until"], "scheduled_until")


MAINTENANCE_STATUS_CHOICES = [(s.value, s.value.replace("_", " ").capitalize()) for s in MaintenanceStatus]

"""Forms for paging, overrides, swaps, schedules and policies; the service functions do the real validation."""

from __future__ import annotations

from django import forms

from watchkeeper.oncall.models import ContactKind, EscalationPolicy
from watchkeeper.web.govuk_forms import LocalTimeField


class PageForm(forms.Form):
    summary = forms.CharField(
        max_length=300, label="What is it about?", error_messages={"required": "Say what the page is about"}
    )
    policy = forms.ModelChoiceField(
        queryset=EscalationPolicy.objects.all(),
        required=False,
        empty_label="No policy: only the people below",
        label="Escalation policy",
        to_field_name="slug",
    )
    users = forms.CharField(required=False, label="People to page", help_text="Usernames, separated by commas.")
    details = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))


class OverrideForm(forms.Form):
    user = forms.CharField(
        label="Who covers", help_text="Their username.", error_messages={"required": "Say who covers the shift"}
    )
    start = LocalTimeField(
        label="From",
        help_text="For example, 2026-12-24 17:30",
        error_messages={"required": "Enter when the cover starts"},
    )
    end = LocalTimeField(
        label="Until",
        help_text="For example, 2026-12-27 09:00",
        error_messages={"required": "Enter when the cover ends"},
    )
    reason = forms.CharField(required=False, max_length=300)


class SwapForm(forms.Form):
    start = LocalTimeField(
        label="From",
        help_text="For example, 2026-12-24 17:30",
        error_messages={"required": "Enter when the shift starts"},
    )
    end = LocalTimeField(
        label="Until",
        help_text="For example, 2026-12-27 09:00",
        error_messages={"required": "Enter when the shift ends"},
    )
    note = forms.CharField(required=False, max_length=300)


TURNS = [("weekly", "Weekly"), ("daily", "Daily"), ("hourly", "Hourly")]
LIMITS = [("", "Day and night"), ("office_hours", "Office hours only"), ("out_of_hours", "Out of hours only")]


class ScheduleForm(forms.Form):
    name = forms.CharField(max_length=200, error_messages={"required": "Give the schedule a name"})
    slug = forms.SlugField(
        label="Short name",
        help_text="Letters, numbers and hyphens, used in the API.",
        error_messages={"required": "Give the schedule a short name"},
    )
    team = forms.CharField(
        help_text="The team's short name.", error_messages={"required": "Say which team runs the schedule"}
    )
    time_zone = forms.CharField(initial="Europe/London", label="Time zone")


class LayerForm(forms.Form):
    """One rotation of a schedule; a formset of these, lowest first, is the schedule's layers."""

    name = forms.CharField(label="Rotation name", initial="Primary", error_messages={"required": "Name the rotation"})
    members = forms.CharField(label="Members, in order", help_text="Usernames, separated by commas.", required=False)
    turn = forms.ChoiceField(choices=TURNS, label="Turn")
    turn_length = forms.IntegerField(
        initial=1,
        label="Turns last",
        help_text="How many hours, days or weeks.",
        error_messages={"required": "Enter how long a turn lasts", "invalid": "Enter the turn length as a number"},
    )
    start = LocalTimeField(
        label="First handoff",
        help_text="Local time, for example 2026-10-19 09:00",
        error_messages={"required": "Enter the first handoff"},
    )
    restrict_to = forms.ChoiceField(choices=LIMITS, required=False, label="When this rotation is on call")
    service = forms.CharField(
        required=False,
        label="Office calendar of service",
        help_text="A service's short name, for its office hours and bank holidays.",
    )


class BaseLayerFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        form.fields["ORDER"].label = "Position"
        form.fields["ORDER"].help_text = "1 is the lowest layer; a higher layer wins wherever it has someone."
        form.fields["DELETE"].label = "Remove this rotation when I save"


LayerFormSet = forms.formset_factory(
    LayerForm, formset=BaseLayerFormSet, extra=0, can_delete=True, can_order=True, min_num=0
)


class PolicyForm(forms.Form):
    name = forms.CharField(max_length=200, error_messages={"required": "Give the policy a name"})
    slug = forms.SlugField(label="Short name", error_messages={"required": "Give the policy a short name"})
    team = forms.CharField(
        help_text="The team's short name.", error_messages={"required": "Say which team owns the policy"}
    )
    repeat = forms.IntegerField(
        initial=0, min_value=0, max_value=9, label="Repeat the policy", help_text="0 to 9 more times."
    )
    steps = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One step a line: minutes to wait, then targets, for example: 5 schedule:platform-primary user:alice",
        error_messages={"required": "Add at least one step"},
    )


class ContactMethodForm(forms.Form):
    kind = forms.ChoiceField(
        choices=ContactKind.choices,
        label="How should a page reach you?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select how to contact you"},
    )
    address = forms.CharField(
        max_length=200,
        label="Phone number, email address or Slack member ID",
        error_messages={"required": "Enter a phone number, email address or Slack member ID"},
    )
    delay_minutes = forms.IntegerField(
        initial=0,
        min_value=0,
        max_value=60,
        label="Minutes to wait before using it",
        help_text="0 to try it as soon as you are paged.",
        error_messages={
            "required": "Enter how many minutes to wait, 0 for none",
            "invalid": "Enter the minutes as a whole number, like 5",
            "min_value": "Enter a delay from 0 to 60 minutes",
            "max_value": "Enter a delay from 0 to 60 minutes",
        },
    )

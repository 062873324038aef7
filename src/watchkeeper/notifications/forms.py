"""Forms for channels and routes; the service functions do the real validation and the view shows their errors."""

from __future__ import annotations

from django import forms

from watchkeeper.catalogue.models import Service
from watchkeeper.domain.priority import Priority
from watchkeeper.domain.workflow import IncidentType
from watchkeeper.notifications.models import Audience, Channel, Kind
from watchkeeper.notifications.routing import ALL_EVENTS


class ChannelForm(forms.Form):
    name = forms.CharField(max_length=100, error_messages={"required": "Enter a name for the channel"})
    kind = forms.ChoiceField(choices=Kind.choices, label="Kind of channel")
    target = forms.CharField(
        max_length=500,
        label="Where messages go",
        help_text="A Slack channel (#incidents), email addresses separated by commas, a phone number, a URL, or "
        "for whoever is on call, the schedule's short name.",
        required=False,
    )
    secret = forms.CharField(
        required=False,
        widget=forms.PasswordInput,
        help_text="Bot token, Notify API key or whsec_ signing secret, or env:NAME to read it from the environment. "
        "Leave blank to keep the current one.",
    )
    template_id = forms.CharField(required=False, label="GOV.UK Notify template ID", max_length=64)


class RouteForm(forms.Form):
    channel = forms.ModelChoiceField(
        queryset=Channel.objects.all(), empty_label=None, error_messages={"required": "Select a channel"}
    )
    service = forms.ModelChoiceField(
        queryset=Service.objects.all(),
        required=False,
        empty_label="Every service",
        help_text="A service's own route for an audience replaces the site-wide one.",
    )
    audience = forms.ChoiceField(choices=Audience.choices, initial=Audience.OTHER)
    priorities = forms.MultipleChoiceField(
        choices=[(p.value, p.value) for p in Priority],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked means every priority.",
    )
    incident_types = forms.MultipleChoiceField(
        choices=[(t.value, t.label) for t in IncidentType],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Incident types",
        help_text="None ticked means every type.",
    )
    events = forms.MultipleChoiceField(
        choices=[(e, e) for e in ALL_EVENTS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked means every incident event.",
    )

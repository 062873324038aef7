from __future__ import annotations

from django import forms

from watchkeeper.catalogue.models import DIVISION_CHOICES, Component, Service, Team


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

from __future__ import annotations

from django import forms

CHOICES = [("yes", "Yes, a channel for every incident"), ("no", "No, use the team's usual channels")]


class ChannelPolicyForm(forms.Form):
    create_channels = forms.ChoiceField(
        choices=CHOICES,
        widget=forms.RadioSelect,
        label="Give each incident on this service its own Slack channel?",
        error_messages={"required": "Select whether each incident gets its own Slack channel"},
    )
    invite = forms.CharField(
        required=False,
        max_length=500,
        label="People to invite to every channel (optional)",
        help_text="Slack member IDs, separated by commas. For example, U024BE7LH, U0G9QF9C6. The person who "
        "declares the incident and its leads are always invited.",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": "Enter at most 500 characters of member IDs"},
    )

"""Forms for the report, the review record, scheduling, waivers, actions and the register's filters."""

from __future__ import annotations

from typing import Any

from django import forms

from watchkeeper.catalogue.models import Service, Team
from watchkeeper.domain.priority import Priority
from watchkeeper.domain.workflow import Status
from watchkeeper.reviews.content import REVIEW_QUESTIONS, Section
from watchkeeper.reviews.models import ActionStatus, RootCause
from watchkeeper.web.govuk_forms import LocalTimeField, set_time_zone

TIME_HINT = "Local time as YYYY-MM-DD HH:MM, for example 2026-11-30 14:00."


class ReportForm(forms.Form):
    public_text = forms.CharField(
        label="Public version",
        required=False,
        widget=forms.Textarea,
        help_text="Plain language for the status page: what users saw and what was done. No internal notes or names.",
    )
    publishable = forms.BooleanField(label="Publish the public version on the status page", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, sections: tuple[Section, ...], restricted: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        written = {
            f"section_{s.key}": forms.CharField(
                label=s.heading, help_text=s.guidance, required=False, widget=forms.Textarea
            )
            for s in sections
        }
        self.fields = {**written, **self.fields}
        if restricted:
            # Restricted incidents never reach the status page, so the form does not offer it.
            del self.fields["public_text"], self.fields["publishable"]


class ReviewForm(forms.Form):
    held_at = LocalTimeField(label="When was the review held?", help_text=TIME_HINT)
    attendance = forms.CharField(label="Who attended?", widget=forms.Textarea(attrs={"rows": 2}))
    root_cause = forms.CharField(
        label="What caused it?", widget=forms.Textarea, help_text="The root cause in plain language."
    )
    root_cause_category = forms.ChoiceField(
        label="Root-cause category", choices=RootCause.choices, widget=forms.RadioSelect
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, tz: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_time_zone(self, tz)
        for question in REVIEW_QUESTIONS:
            self.fields[question.field] = forms.CharField(
                label=question.text, help_text=question.hint, required=False, widget=forms.Textarea(attrs={"rows": 3})
            )
        self.fields["version"] = self.fields.pop("version")
        self.fields["held_at"].error_messages["required"] = "Enter when the review was held"
        self.fields["attendance"].error_messages["required"] = "Enter who attended"
        self.fields["root_cause"].error_messages["required"] = "Describe the root cause in plain language"
        self.fields["root_cause_category"].error_messages["required"] = "Select the root-cause category"


class ScheduleForm(forms.Form):
    proposed_for = LocalTimeField(label="When is the review?", help_text=TIME_HINT)
    invitees = forms.CharField(
        label="Who is invited?",
        required=False,
        help_text="Usernames separated by commas. Invite the people involved, not only the leads.",
    )

    def __init__(self, *args: Any, tz: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_time_zone(self, tz)
        self.fields["proposed_for"].error_messages["required"] = "Enter when the review is"


class TemplateForm(forms.Form):
    """One section a line, 'key | Heading | Guidance': plain text an admin can edit without a widget per section."""

    sections = forms.CharField(
        label="Sections the team writes",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="One section a line: key | Heading | Guidance. Keep a key to keep the text already written under it.",
        error_messages={"required": "Give at least one section"},
    )

    @staticmethod
    def text_for(sections: tuple[Section, ...]) -> str:
        return "\n".join(f"{s.key} | {s.heading} | {s.guidance}" for s in sections)

    def clean_sections(self) -> list[dict[str, str]]:
        parsed = []
        for number, line in enumerate(self.cleaned_data["sections"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split("|", 2)]
            if len(parts) < 2 or not parts[0] or not parts[1]:
                raise forms.ValidationError(f"Line {number} needs a key and a heading separated by |")
            parsed.append({"key": parts[0], "heading": parts[1], "guidance": parts[2] if len(parts) > 2 else ""})
        return parsed


class WaiverForm(forms.Form):
    reason = forms.CharField(
        label="Why does this incident need no review?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why this incident needs no review"},
    )


class ActionForm(forms.Form):
    title = forms.CharField(label="What needs to be done?", error_messages={"required": "Describe the action"})
    owner = forms.CharField(
        label="Owner",
        help_text="The username of one person, not a team.",
        error_messages={"required": "Name one person who owns the action"},
    )
    due_in_business_days = forms.IntegerField(
        label="Due in how many business days?",
        help_text="Counted on the service's office calendar, skipping weekends and bank holidays.",
        error_messages={"required": "Enter a number of business days", "invalid": "Enter a whole number of days"},
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    link = forms.CharField(label="Link (optional)", required=False, help_text="An issue tracker link, for example.")


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label="Status", choices=ActionStatus.choices, widget=forms.RadioSelect)


YES_NO_CHOICES = [("", "Any"), ("yes", "Yes"), ("no", "No")]


class RegisterFilterForm(forms.Form):
    service = forms.ChoiceField(label="Service", required=False)
    team = forms.ChoiceField(label="Team", required=False)
    priority = forms.ChoiceField(
        label="Priority", required=False, choices=[("", "Any")] + [(p.value, p.value) for p in Priority]
    )
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any")] + [(s.value, s.value.title()) for s in Status]
    )
    root_cause = forms.ChoiceField(
        label="Root-cause category", required=False, choices=[("", "Any"), *RootCause.choices]
    )
    response_met = forms.ChoiceField(label="Response met", required=False, choices=YES_NO_CHOICES)
    updates_on_time = forms.ChoiceField(label="Updates on time", required=False, choices=YES_NO_CHOICES)
    declared_from = forms.DateField(
        label="Declared from",
        required=False,
        help_text="YYYY-MM-DD",
        error_messages={"invalid": "Enter a date as YYYY-MM-DD"},
    )
    declared_to = forms.DateField(
        label="Declared to",
        required=False,
        help_text="YYYY-MM-DD",
        error_messages={"invalid": "Enter a date as YYYY-MM-DD"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", "Any"), *Service.objects.values_list("slug", "name")]  # type: ignore[attr-defined]
        self.fields["team"].choices = [("", "Any"), *Team.objects.values_list("slug", "name")]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("declared_from"), data.get("declared_to")
        if start and end and start > end:
            self.add_error("declared_to", "The end date must be the same as or after the start date")
        return data


class ImportForm(forms.Form):
    MAX_BYTES = 20 * 1024 * 1024

    file = forms.FileField(
        label="Register spreadsheet (CSV)",
        help_text="Saved as CSV UTF-8, with the columns of the register's CSV download. Only resolved and closed "
        "incidents; each reference like INC-2019-0042 must not be in Watchkeeper already.",
        error_messages={"required": "Select a CSV file"},
    )

    def clean_file(self) -> str:
        """The file's text; it is read whole, so it is size-limited first."""
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError("The selected file must be smaller than 20 MB")
        try:
            # utf-8-sig: Excel starts a CSV it saves with a byte order mark.
            return str(upload.read().decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise forms.ValidationError("The selected file must be CSV UTF-8: in Excel, save as 'CSV UTF-8'") from None

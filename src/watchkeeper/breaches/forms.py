"""Breach and security forms. They only read input: every rule lives in breaches.services."""

from __future__ import annotations

from typing import Any

from django import forms

from watchkeeper.breaches.models import Exemption, Risk
from watchkeeper.breaches.security_guide import NCSC_CATEGORIES, SECTION_PARTS
from watchkeeper.domain.workflow import SecurityStep
from watchkeeper.web.govuk_forms import LocalTimeField, name_every_error, set_time_zone

YES_NO = [("yes", "Yes"), ("no", "No")]
TIME_HINT = "Local time, for example 2026-11-30 09:45"


class BreachForm(forms.Form):
    def __init__(self, *args: Any, tz: str = "Europe/London", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_time_zone(self, tz)
        name_every_error(self)


def _yes_no(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


class AwareForm(BreachForm):
    aware_at = LocalTimeField(
        label="When did the organisation become aware of the breach?",
        help_text=TIME_HINT,
        error_messages={"required": "Enter when the organisation became aware of the breach, like 2026-11-30 09:45"},
    )
    reason = forms.CharField(label="Why is this time changing?", widget=forms.Textarea, required=False)


class FactsForm(BreachForm):
    nature = forms.CharField(label="Nature of the breach", widget=forms.Textarea, required=False)
    people_categories = forms.CharField(label="Categories of people affected", widget=forms.Textarea, required=False)
    people_count = forms.IntegerField(label="Approximate number of people", min_value=0, required=False)
    record_categories = forms.CharField(
        label="Categories of personal data records", widget=forms.Textarea, required=False
    )
    record_count = forms.IntegerField(label="Approximate number of records", min_value=0, required=False)
    contact_point = forms.CharField(
        label="Data protection officer or other contact point", widget=forms.Textarea, required=False
    )
    likely_consequences = forms.CharField(label="Likely consequences", widget=forms.Textarea, required=False)
    measures_taken = forms.CharField(label="Measures taken", widget=forms.Textarea, required=False)
    measures_proposed = forms.CharField(label="Measures proposed", widget=forms.Textarea, required=False)


class RiskForm(BreachForm):
    risk = forms.ChoiceField(
        label="Risk to people's rights and freedoms",
        choices=Risk.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the risk to people's rights and freedoms"},
    )
    reasoning = forms.CharField(label="How did you assess the risk?", widget=forms.Textarea, required=False)


class IcoDecisionForm(BreachForm):
    report = forms.ChoiceField(
        label="Will the breach be reported to the ICO?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if the breach will be reported to the ICO, or no if it will not"},
    )
    reason = forms.CharField(
        label="Reasons", help_text="Required when not reporting.", widget=forms.Textarea, required=False
    )

    @property
    def decision(self) -> bool | None:
        return _yes_no(self.cleaned_data.get("report"))


class ReportedForm(BreachForm):
    reported_at = LocalTimeField(
        label="When was it reported to the ICO?",
        help_text=TIME_HINT,
        error_messages={"required": "Enter when it was reported to the ICO, like 2026-11-30 09:45"},
    )
    ico_reference = forms.CharField(label="ICO reference", required=False)
    delay_reasons = forms.CharField(
        label="Reasons for the delay",
        help_text="Required after the 72-hour deadline.",
        widget=forms.Textarea,
        required=False,
    )


class FurtherInformationForm(BreachForm):
    sent_at = LocalTimeField(
        label="When was it sent?",
        help_text=TIME_HINT,
        error_messages={"required": "Enter when the further information was sent, like 2026-11-30 09:45"},
    )
    summary = forms.CharField(label="What further information was sent?", widget=forms.Textarea, required=False)


class TellPeopleForm(BreachForm):
    tell = forms.ChoiceField(
        label="Will the people affected be told?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if the people affected will be told, or no if they will not"},
    )
    reason = forms.CharField(label="Reasons", widget=forms.Textarea, required=False)
    exemption = forms.ChoiceField(
        label="Article 34(3) exemption",
        help_text="Only when not telling people at high risk.",
        choices=[("", "None"), *Exemption.choices],
        required=False,
    )
    method = forms.CharField(label="How are people told, or where is the public notice?", required=False)
    told_at = LocalTimeField(label="When were they told?", help_text=TIME_HINT, required=False)

    @property
    def decision(self) -> bool | None:
        return _yes_no(self.cleaned_data.get("tell"))


def section_form(step: SecurityStep, data: Any = None, initial: dict[str, str] | None = None) -> forms.Form:
    """One text area per part of the step, plus whether it is done."""
    form = forms.Form(data, initial=initial)
    for name, label in SECTION_PARTS[step].items():
        form.fields[name] = forms.CharField(label=label, widget=forms.Textarea, required=False)
    form.fields["done"] = forms.BooleanField(label=f"{step.value.capitalize()} is done", required=False)
    return form


class WaiveForm(BreachForm):
    reason = forms.CharField(label="Why is this step not needed?", widget=forms.Textarea, required=False)


class NcscForm(BreachForm):
    category = forms.TypedChoiceField(
        label="NCSC category",
        coerce=int,
        choices=[(number, f"{number}: {name}. {guide}") for number, (name, guide) in NCSC_CATEGORIES.items()],
        widget=forms.RadioSelect,
    )
    told = forms.ChoiceField(
        label="Has the NCSC been told?",
        help_text="Required for categories 1 to 3.",
        choices=[("", "Not decided"), ("yes", "Yes"), ("no", "No")],
        required=False,
    )
    told_at = LocalTimeField(label="When was the NCSC told?", help_text=TIME_HINT, required=False)
    reason = forms.CharField(label="Reasons", widget=forms.Textarea, required=False)

    @property
    def decision(self) -> bool | None:
        return _yes_no(self.cleaned_data.get("told"))


class EvidenceLogForm(BreachForm):
    command = forms.CharField(label="Command run", widget=forms.Textarea, required=False)
    image_location = forms.CharField(label="Where the image is kept", required=False)
    image_hash = forms.CharField(label="Image hash", help_text="For example, sha256:…", required=False)
    note = forms.CharField(label="Note", widget=forms.Textarea, required=False)


class EvidenceFileForm(BreachForm):
    file = forms.FileField(label="Evidence file", error_messages={"required": "Select a file"})
    description = forms.CharField(label="Description", required=False)

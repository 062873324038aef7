"""Incident forms: they check what a person typed; the service functions decide what is allowed."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from watchkeeper.catalogue import queries as catalogue
from watchkeeper.catalogue.models import Service
from watchkeeper.domain.priority import DEFAULT_POLICIES, PriorityPolicy
from watchkeeper.domain.workflow import TRANSITIONS, IncidentType, Status, Step
from watchkeeper.incidents.models import EntryKind, Incident
from watchkeeper.incidents.queries import Filters, eligible_people
from watchkeeper.incidents.services.milestones import LABELS, MILESTONES
from watchkeeper.web.formatting import local_input, parse_local
from watchkeeper.web.govuk_forms import LocalTimeField

# A declarer who cannot tell yet leaves it to the incident lead; the service starts it as P3 (step 3 not done).
NOT_SURE = "not-sure"
ALL = [("", "All")]
# The level's name is fixed by the GDS table; a service may change its times, never its meaning.
PRIORITY_CHOICES = [(p.value, f"{p.value} {policy.name}") for p, policy in DEFAULT_POLICIES.items()]


def _service_field(label: str, **kwargs: Any) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=catalogue.services(),
        to_field_name="slug",
        label=label,
        empty_label="Choose a service",
        error_messages={
            "required": "Select the service that is affected",
            "invalid_choice": "Select a service from the list",
        },
        **kwargs,
    )


def _choices(form: forms.Form, name: str, choices: list[tuple[str, str]]) -> None:
    """Choices known only once the incident or the catalogue is: a form's fields are copies, so this is safe."""
    cast(forms.ChoiceField, form.fields[name]).choices = choices


def priority_hints(policies: list[PriorityPolicy]) -> dict[str, str]:
    """The GDS table beside each priority choice, so people classify by the same words."""
    return {
        p.priority.value: f"For example, {p.example[0].lower()}{p.example[1:]}. "
        f"Respond within {p.respond_within.describe()}; updates {p.updates}."
        for p in policies
    }


class ServiceChoiceForm(forms.Form):
    """Step 1 of declaring: which service, so we can show who is already on it."""

    service = _service_field("Which service is affected?")


class DeclareForm(forms.Form):
    title = forms.CharField(
        max_length=200,
        label="What is happening?",
        help_text="A short summary people will recognise. For example, card payments are failing.",
        error_messages={"required": "Enter what is happening", "max_length": "Keep it to 200 characters or fewer"},
    )
    description = forms.CharField(
        required=False,
        widget=forms.Textarea,
        label="Describe the problem (optional)",
        help_text="What you have seen, who is affected and anything already tried.",
    )
    service = _service_field("Service")
    type = forms.ChoiceField(
        choices=[(t.value, t.label) for t in IncidentType],
        initial=IncidentType.TECHNICAL_FAILURE.value,
        widget=forms.RadioSelect,
        label="Type of incident",
        error_messages={"required": "Select the type of incident", "invalid_choice": "Select the type of incident"},
    )
    reported_at = forms.CharField(
        label="When was the problem first noticed?",
        help_text="In the service's local time, as YYYY-MM-DD HH:MM on the 24-hour clock.",
        error_messages={"required": "Enter when the problem was first noticed"},
    )
    priority = forms.ChoiceField(
        choices=[*PRIORITY_CHOICES, (NOT_SURE, "Not sure yet")],
        widget=forms.RadioSelect,
        label="Suggested priority",
        error_messages={
            "required": "Select a suggested priority, or not sure yet",
            "invalid_choice": "Select a suggested priority, or not sure yet",
        },
    )
    reporter = forms.CharField(
        required=False,
        max_length=200,
        label="Who reported it? (optional)",
        help_text="If someone else noticed the problem: their name, team or organisation.",
    )
    take_lead = forms.BooleanField(required=False, label="I will lead this incident")
    # One per form page: a double submit finds the incident the first submit declared.
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64, initial=lambda: uuid.uuid4().hex)

    def __init__(self, *args: Any, service: Service | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if service is not None:
            self.fields["service"].initial = service.slug
            self.fields["reported_at"].initial = local_input(timezone.now(), service.timezone)
            self.fields["reported_at"].help_text = (
                f"In local time for {service.name} ({service.timezone}), as YYYY-MM-DD HH:MM on the 24-hour clock. "
                "Every deadline counts from this time, so change it if the problem started earlier."
            )

    def clean_reported_at(self) -> datetime | None:
        service: Service | None = self.cleaned_data.get("service")
        if service is None:
            return None  # the service error says what to fix; the time cannot be read without its zone
        try:
            return parse_local(self.cleaned_data["reported_at"], service.timezone)
        except ValueError as error:
            raise ValidationError(str(error)) from None


class VersionedForm(forms.Form):
    """Carries the incident version the page was built from, so a stale form is refused, not applied."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean() or {}
        try:
            cleaned["version"] = int(cleaned.get("version") or "")
        except ValueError:
            raise ValidationError("This form is out of date. Reload the page and try again.") from None
        return cleaned


class UpdateForm(VersionedForm):
    body = forms.CharField(
        widget=forms.Textarea,
        label="Update",
        help_text="What is affected, what we are doing and when the next update will be.",
        error_messages={"required": "Enter the update"},
    )
    public = forms.BooleanField(required=False, label="Public: publish this update on the status page")
    confirm_restricted = forms.BooleanField(
        required=False, label="I am an admin and I confirm this restricted incident's update may be published"
    )


class NoteForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[(k.value, k.label) for k in (EntryKind.NOTE, EntryKind.ACTION, EntryKind.DECISION)],
        initial=EntryKind.NOTE.value,
        widget=forms.RadioSelect,
        label="Kind of entry",
        error_messages={
            "required": "Select note, action or decision",
            "invalid_choice": "Select note, action or decision",
        },
    )
    body = forms.CharField(widget=forms.Textarea, label="Text", error_messages={"required": "Enter the text"})


class StatusForm(VersionedForm):
    """Offers only the moves the transition table allows from where the incident is now."""

    status = forms.ChoiceField(
        widget=forms.RadioSelect,
        label="New status",
        error_messages={
            "required": "Select the new status",
            "invalid_choice": "Select one of the statuses allowed from here",
        },
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Note (optional)")
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="If you are resolving it: how was it resolved?",
        help_text="Needed to resolve. Say what fixed it and whether users need to do anything.",
    )

    def __init__(self, *args: Any, incident: Incident, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = TRANSITIONS[incident.status_enum]
        # Reopening and closing have their own forms: they ask different questions.
        offered = [s for s in Status if s in allowed and s is not Status.CLOSED]
        _choices(self, "status", [(s.value, s.value.capitalize()) for s in offered])


class PriorityForm(VersionedForm):
    priority = forms.ChoiceField(
        choices=PRIORITY_CHOICES,
        widget=forms.RadioSelect,
        label="Priority",
        error_messages={"required": "Select a priority", "invalid_choice": "Select a priority"},
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why is the priority changing?",
        error_messages={"required": "Say why the priority is changing"},
    )


class RoleForm(VersionedForm):
    """A role goes to someone from the list of people who can take it: no usernames typed from memory at 3am."""

    username = forms.ChoiceField(label="Person")

    def __init__(self, *args: Any, role: str = "incident lead", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = [(p.get_username(), _person_label(p)) for p in eligible_people()]
        field = self.fields["username"]
        field.choices = [("", "Choose a person"), *people]  # type: ignore[attr-defined]
        field.error_messages = {
            "required": f"Select the person who will be the {role}",
            "invalid_choice": f"Select the {role} from the list: only responders, security and admins can take it",
        }


def _person_label(person: Any) -> str:
    full = person.get_full_name()
    return f"{full} ({person.get_username()})" if full else person.get_username()


class TickForm(forms.Form):
    step = forms.ChoiceField(
        widget=forms.RadioSelect,
        label="Step done outside Watchkeeper",
        error_messages={"required": "Select the step that is done", "invalid_choice": "Select a step not yet done"},
    )
    note = forms.CharField(required=False, max_length=500, label="How was it done? (optional)")

    def __init__(self, *args: Any, open_steps: list[Step], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "step", [(s.value, f"{s.number}. {s.label}") for s in open_steps])


class ReopenForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why is it being reopened?",
        error_messages={"required": "Say why the incident is being reopened"},
    )


class CloseForm(VersionedForm):
    pass


class FilterForm(forms.Form):
    """The dashboard's filters; a value that is not on the list is reported and ignored."""

    service = forms.ChoiceField(required=False, label="Service")
    priority = forms.ChoiceField(required=False, label="Priority", choices=ALL + PRIORITY_CHOICES)
    status = forms.ChoiceField(
        required=False,
        label="Status",
        choices=ALL + [(s.value, s.value.capitalize()) for s in Status],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "service", ALL + [(s.slug, s.name) for s in catalogue.services()])
        for name, field in self.fields.items():
            field.error_messages["invalid_choice"] = f"Select a {name} from the list"

    def filters(self) -> Filters:
        if not self.is_bound:
            return Filters()
        self.is_valid()
        data = self.cleaned_data
        return Filters(
            status=data.get("status") or None,
            service=data.get("service") or None,
            priority=data.get("priority") or None,
        )

    @property
    def active(self) -> bool:
        return any(dataclasses.astuple(self.filters()))


class MilestonesForm(VersionedForm):
    """Corrects an incident's milestone times; a blank box leaves that time as it is."""

    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why are the times being corrected?",
        required=False,
        help_text="Recorded on the timeline with the old and new times.",
    )
    exercise = forms.BooleanField(label="This was an exercise (a drill or game day)", required=False)

    def __init__(self, data: Any, *, incident: Incident) -> None:
        tz = incident.service.timezone
        initial: dict[str, Any] = {
            name: local_input(getattr(incident, name), tz) for name in MILESTONES if getattr(incident, name)
        }
        initial.update(version=incident.version, exercise=incident.exercise)
        super().__init__(data, initial=initial)
        self.milestone_fields = list(MILESTONES)
        for name in reversed(MILESTONES):
            field = LocalTimeField(tz=tz, label=LABELS[name].capitalize(), required=False, help_text=f"{tz} time")
            self.fields = {name: field, **self.fields}

    def changes(self, incident: Incident) -> dict[str, datetime]:
        """The times that differ from what is stored, to the minute the form shows: only those are corrections."""
        found = {}
        for name in self.milestone_fields:
            typed, stored = self.cleaned_data.get(name), getattr(incident, name)
            if typed is not None and (stored is None or typed != stored.replace(second=0, microsecond=0)):
                found[name] = typed
        return found

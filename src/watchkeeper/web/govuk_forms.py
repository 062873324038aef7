"""Bridges Django forms to the GOV.UK Frontend macros, so every form shows errors the GOV.UK way."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError

from watchkeeper.web.formatting import parse_local


def field_params(bound: forms.BoundField, **extra: Any) -> dict[str, Any]:
    """Parameters for a govuk* macro from a bound field: id, name, label, hint, value and error message."""
    widget = bound.field.widget
    params: dict[str, Any] = {
        "id": bound.id_for_label or bound.auto_id,
        "name": bound.html_name,
        "label": {"text": str(bound.label)},
    }
    if bound.help_text:
        params["hint"] = {"text": str(bound.help_text)}
    if bound.errors:
        params["errorMessage"] = {"text": " ".join(str(e) for e in bound.errors)}
    value = bound.value()
    if isinstance(widget, forms.Select):
        params["items"] = [
            {"value": str(v), "text": str(label), "selected": str(v) == str(value if value is not None else "")}
            for v, label in bound.field.choices  # type: ignore[attr-defined]
        ]
    elif isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        selected = {str(v) for v in (value if isinstance(value, list | tuple) else [value])}
        params["idPrefix"] = bound.auto_id
        params["fieldset"] = {"legend": {"text": str(bound.label), "classes": "govuk-fieldset__legend--s"}}
        params.pop("label")
        params.pop("id")
        params["items"] = [
            {"value": str(v), "text": str(label), "checked": str(v) in selected}
            for v, label in bound.field.choices  # type: ignore[attr-defined]
            if str(v) != ""
        ]
    elif isinstance(widget, forms.CheckboxInput):
        params["items"] = [{"value": "on", "text": str(bound.label), "checked": bool(value)}]
        params.pop("label")
    else:
        # format_value gives None for an empty textarea, which the macro would print as "None".
        params["value"] = "" if value is None else (widget.format_value(value) or "")
        if isinstance(widget, forms.PasswordInput):
            params["value"] = ""
    params.update(extra)
    return params


def error_summary(form: forms.BaseForm, others: Iterable[forms.BaseForm] = ()) -> dict[str, Any] | None:
    """govukErrorSummary parameters linking each message to its field, or None when every form is valid.

    ``others`` are the forms of a formset shown on the same page (a schedule's layers): one summary lists all.
    """
    items: list[dict[str, str]] = []
    for each in (form, *others):
        if each.is_bound:
            items += _summary_items(each)
    return {"titleText": "There is a problem", "errorList": items} if items else None


def _summary_items(form: forms.BaseForm) -> list[dict[str, str]]:
    items: list[dict[str, str]] = []
    for name, errors in form.errors.items():
        for error in errors:
            if name == NON_FIELD_ERRORS:
                items.append({"text": str(error)})
            else:
                bound = form[name]
                # Radios and checkboxes: the macro gives the first option the field's own id.
                anchor = bound.auto_id if isinstance(bound.field.widget, forms.RadioSelect) else bound.id_for_label
                items.append({"text": str(error), "href": f"#{anchor}"})
    return items


Rename = Mapping[str, str] | Callable[[str], str]


def put_errors(form: forms.BaseForm, error: ValidationError, rename: Rename | None = None) -> None:
    """Puts a service's refusal on the form's fields (or above them), so it shows in the GOV.UK error summary.

    ``rename`` maps the service's names for its arguments (or the API's dotted names) to the form's fields.
    """
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for name, messages in error.message_dict.items():
        field = rename(name) if callable(rename) else (rename or {}).get(name, name)
        form.add_error(field if field in form.fields else None, messages)


def apply_service(form: forms.BaseForm, save: Callable[[], object], rename: Rename | None = None) -> bool:
    """Runs a service function; its refusals land on the form, so they show in the GOV.UK error summary.

    A permission the service refuses mid-form (publishing a restricted incident without an admin) reads better
    as a message beside the form than as a bare 403 page.
    """
    try:
        save()
    except ValidationError as error:
        put_errors(form, error, rename)
        return False
    except PermissionDenied as error:
        form.add_error(None, str(error) or "You do not have permission to do that")
        return False
    return True


class LocalTimeField(forms.CharField):
    """A wall time typed in the service's own time zone ('2026-11-30 09:45'), read into an aware instant."""

    def __init__(self, *, tz: str = "Europe/London", **kwargs: Any) -> None:
        self.tz = tz
        super().__init__(**kwargs)

    def clean(self, value: Any) -> datetime | None:  # type: ignore[override]
        text = super().clean(value)
        if not text:
            return None
        try:
            return parse_local(text, self.tz)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


def set_time_zone(form: forms.BaseForm, tz: str) -> None:
    """Points every LocalTimeField of a form at the service's time zone."""
    for field in form.fields.values():
        if isinstance(field, LocalTimeField):
            field.tz = tz


def name_every_error(form: forms.BaseForm) -> None:
    """Replaces Django's bare "This field is required." with GOV.UK wording that names the field and says what to
    do: "Select ..." for a choice, "Enter ..." for anything typed. Messages a field set for itself stay."""
    defaults = {
        "required": str(forms.Field.default_error_messages["required"]),
        "invalid_choice": str(forms.ChoiceField.default_error_messages["invalid_choice"]),
    }
    for field in form.fields.values():
        label = str(field.label or "").rstrip("?:. ")
        if not label:
            continue
        what = label[0].lower() + label[1:]
        choosing = isinstance(field, forms.ChoiceField)
        wording = {
            "required": f"Select an answer for \u201c{label}\u201d" if choosing else f"Enter {what}",
            "invalid_choice": f"Select one of the options for \u201c{label}\u201d",
        }
        for code, default in defaults.items():
            if str(field.error_messages.get(code, "")).startswith(default.split("%")[0].split("{")[0]):
                field.error_messages[code] = wording[code]

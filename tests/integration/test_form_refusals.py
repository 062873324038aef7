"""A service's refusal lands on the form the same way on every page: on its field, or above the form."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError

from watchkeeper.web.govuk_forms import apply_service


class _Form(forms.Form):
    title = forms.CharField()
    reason = forms.CharField(required=False)


def _refuse(error: Exception) -> bool:
    raise error


def _bound() -> _Form:
    form = _Form({"title": "Payments down"})
    assert form.is_valid()
    return form


def test_field_errors_land_on_their_fields_and_unknown_names_above_the_form() -> None:
    form = _bound()
    refusal = ValidationError({"title": ["Too vague"], "nonsense": ["Not a field here"]})
    assert apply_service(form, lambda: _refuse(refusal)) is False
    assert form.errors == {"title": ["Too vague"], "__all__": ["Not a field here"]}


def test_a_service_name_is_renamed_to_the_form_field_by_mapping_or_function() -> None:
    form = _bound()
    assert not apply_service(form, lambda: _refuse(ValidationError({"why": ["Say why"]})), {"why": "reason"})
    assert form.errors == {"reason": ["Say why"]}
    form = _bound()
    assert not apply_service(form, lambda: _refuse(ValidationError({"steps.0.why": ["Say why"]})), lambda n: "reason")
    assert form.errors == {"reason": ["Say why"]}


def test_a_refusal_without_field_names_and_a_permission_refusal_show_above_the_form() -> None:
    form = _bound()
    assert not apply_service(form, lambda: _refuse(ValidationError("The incident is closed")))
    assert form.errors == {"__all__": ["The incident is closed"]}
    form = _bound()
    assert not apply_service(form, lambda: _refuse(PermissionDenied()))
    assert form.errors == {"__all__": ["You do not have permission to do that"]}


def test_success_leaves_the_form_clean() -> None:
    form = _bound()
    assert apply_service(form, lambda: None) is True
    assert form.errors == {}

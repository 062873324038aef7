"""Breach pages: thin; every read goes through breaches.queries and every change through breaches.services.

Every page answers 404 to anyone outside the incident, exactly as for an incident that does not exist.
"""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from watchkeeper.breaches import export, forms, ico_draft, queries, services
from watchkeeper.breaches.access import incident_for, may_act
from watchkeeper.breaches.models import Breach
from watchkeeper.breaches.services.breach import FACT_FIELDS
from watchkeeper.domain.workflow import security_steps
from watchkeeper.web.formatting import local_input, relative, when
from watchkeeper.web.govuk_forms import apply_service

FACT_LABELS = {name: str(forms.FactsForm.base_fields[name].label) for name in FACT_FIELDS}


def form_page(request: HttpRequest, incident: Any, form: django_forms.Form, title: str, **extra: Any) -> HttpResponse:
    context = {"incident": incident, "form": form, "title": title, "submit_text": "Save", **extra}
    return render(request, "breaches/form.html", context)


def _actor(request: HttpRequest, reference: str) -> tuple[User, Breach]:
    """The breach, and the user only if they may change it; 404 first so nothing is revealed to outsiders."""
    breach = queries.breach_for(request.user, reference)
    if not may_act(request.user, breach.incident):  # type: ignore[arg-type]
        raise PermissionDenied("You cannot act on this incident")
    return request.user, breach  # type: ignore[return-value]


def _done(request: HttpRequest, breach: Breach, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("breaches:record", reference=breach.incident.reference)


def breach_log(request: HttpRequest) -> HttpResponse:
    rows = queries.log_rows(queries.breach_log(request.user))
    return render(request, "breaches/log.html", {"rows": rows})


def breach_log_csv(request: HttpRequest) -> HttpResponse:
    rows = queries.log_rows(queries.breach_log(request.user))
    response = HttpResponse(queries.log_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="breach-log.csv"'
    return response


def breach_log_xlsx(request: HttpRequest) -> HttpResponse:
    return export.log_xlsx_response(queries.log_rows(queries.breach_log(request.user)))


def _summary(breach: Breach, can_act: bool) -> list[tuple[str, list[dict[str, Any]]]]:
    """govukSummaryList rows per heading, each with a change link for those who may act."""
    reference = breach.incident.reference
    tz = breach.incident.service.timezone

    def row(label: str, value: object, change: str | None = None) -> dict[str, Any]:
        text = "Not yet recorded" if value in (None, "") else str(value)
        found: dict[str, Any] = {"key": {"text": label}, "value": {"text": text}}
        if can_act and change:
            link = {"href": reverse(f"breaches:{change}", kwargs={"reference": reference}), "text": "Change"}
            found["actions"] = {"items": [{**link, "visuallyHiddenText": label.lower()}]}
        return found

    yes_no = {True: "Yes", False: "No", None: None}
    return [
        (
            "The 72-hour clock",
            [
                row("Aware since", when(breach.aware_at, tz), "aware"),
                row(
                    "ICO deadline", f"{when(breach.ico_deadline, tz)} ({relative(breach.ico_deadline, timezone.now())})"
                ),
            ],
        ),
        (
            "What happened (Article 33(3))",
            [row(label, getattr(breach, name), "facts") for name, label in FACT_LABELS.items()],
        ),
        (
            "Risk",
            [
                row("Risk to people", breach.get_risk_display(), "risk"),
                row("Reasoning", breach.risk_reasoning, "risk"),
            ],
        ),
        (
            "The ICO",
            [
                row("Report to the ICO", yes_no[breach.report_to_ico], "ico"),
                row("Reasons", breach.report_to_ico_reason, "ico"),
                row("Reported", when(breach.reported_to_ico_at, tz) if breach.reported_to_ico_at else None, "reported"),
                row("ICO reference", breach.ico_reference, "reported"),
                row(
                    "Reasons for delay", breach.delay_reasons or ("None needed" if breach.reported_to_ico_at else None)
                ),
            ],
        ),
        (
            "The people affected (Article 34)",
            [
                row("Tell them", yes_no[breach.tell_people], "tell"),
                row("Reasons", breach.tell_people_reason, "tell"),
                row("Exemption", breach.get_tell_people_exemption_display() or "None"),
                row("How", breach.tell_people_method),
                row("Told", when(breach.told_people_at, tz) if breach.told_people_at else None),
            ],
        ),
    ]


def record(request: HttpRequest, reference: str) -> HttpResponse:
    breach = queries.breach_for(request.user, reference)
    incident = breach.incident
    can_act = may_act(request.user, incident)  # type: ignore[arg-type]
    context = {
        "breach": breach,
        "incident": incident,
        "status": queries.ico_status(breach),
        "summary": _summary(breach, can_act),
        "decisions": queries.decisions(incident),
        "can_act": can_act,
        "show_security": bool(security_steps(incident.type_enum)) or incident.restricted,
        "tz": incident.service.timezone,
    }
    return render(request, "breaches/record.html", context)


def open_breach(request: HttpRequest, reference: str) -> HttpResponse:
    """Marks an incident as involving personal data, after a confirmation page."""
    incident = incident_for(request.user, reference)
    if not may_act(request.user, incident):  # type: ignore[arg-type]
        raise PermissionDenied("You cannot act on this incident")
    if request.method == "POST":
        breach = services.open_breach(request.user, incident)  # type: ignore[arg-type]
        return _done(request, breach, "Breach record opened: the 72-hour clock runs from the declaration")
    return render(request, "breaches/open.html", {"incident": incident})


def aware(request: HttpRequest, reference: str) -> HttpResponse:
    actor, breach = _actor(request, reference)
    tz = breach.incident.service.timezone
    form = forms.AwareForm(request.POST or None, tz=tz, initial={"aware_at": local_input(breach.aware_at, tz)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        change = lambda: services.change_aware_at(actor, breach.incident, data["aware_at"], data["reason"])  # noqa: E731
        if apply_service(form, change, {"aware_at_reason": "reason"}):
            return _done(request, breach, "Time of awareness changed")
    return form_page(request, breach.incident, form, "When the organisation became aware")


def facts(request: HttpRequest, reference: str) -> HttpResponse:
    actor, breach = _actor(request, reference)
    form = forms.FactsForm(request.POST or None, initial={name: getattr(breach, name) for name in FACT_FIELDS})
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in FACT_FIELDS}
        if apply_service(form, lambda: services.update_facts(actor, breach.incident, **data)):
            return _done(request, breach, "Breach facts saved")
    return form_page(request, breach.incident, form, "What happened (Article 33(3))")


def risk(request: HttpRequest, reference: str) -> HttpResponse:
    actor, breach = _actor(request, reference)
    form = forms.RiskForm(request.POST or None, initial={"risk": breach.risk, "reasoning": breach.risk_reasoning})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if apply_service(
            form,
            lambda: services.assess_risk(actor, breach.incident, data["risk"], data["reasoning"]),
            {"risk_reasoning": "reasoning"},
        ):
            return _done(request, breach, "Risk assessment saved")
    return form_page(request, breach.incident, form, "Risk to the people affected")


def ico_decision(request: HttpRequest, reference: str) -> HttpResponse:
    actor, breach = _actor(request, reference)
    form = forms.IcoDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        report = form.decision is True
        decide = lambda: services.decide_ico(actor, breach.incident, report, form.cleaned_data["reason"])  # noqa: E731
        if apply_service(form, decide, {"report_to_ico_reason": "reason", "report_to_ico": "report"}):
            return _done(request, breach, "Decision on reporting to the ICO recorded")
    return form_page(request, breach.incident, form, "Report to the ICO?")


def reported(request: HttpRequest, reference: str) -> HttpResponse:
    actor, breach = _actor(request, reference)
    form = forms.ReportedForm(request.POST or None, tz=breach.incident.service.timezone)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        save = lambda: services.record_reported(  # noqa: E731
            actor, breach.incident, data["reported_at"], data["ico_reference"], data["delay_reasons"]
        )
        if apply_service(form, save, {"reported_to_ico_at": "reported_at", "report_to_ico": "reported_at"}):
            return _done(request, breach, "Report to the ICO recorded")
    return form_page(request, breach.incident, form, "Reported to the ICO")


def further_information(request: HttpRequest, reference: str) -> HttpResponse:
    actor, breach = _actor(request, reference)
    form = forms.FurtherInformationForm(request.POST or None, tz=breach.incident.service.timezone)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        save = lambda: services.record_further_information(  # noqa: E731
            actor, breach.incident, data["sent_at"], data["summary"]
        )
        if apply_service(form, save):
            return _done(request, breach, "Further information recorded")
    return form_page(request, breach.incident, form, "Further information sent to the ICO")


def tell_people(request: HttpRequest, reference: str) -> HttpResponse:
    actor, breach = _actor(request, reference)
    form = forms.TellPeopleForm(request.POST or None, tz=breach.incident.service.timezone)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        decide = lambda: services.decide_tell_people(  # noqa: E731
            actor,
            breach.incident,
            form.decision is True,
            data["reason"],
            exemption=data["exemption"],
            told_at=data["told_at"],
            method=data["method"],
        )
        aliases = {
            "tell_people_reason": "reason",
            "tell_people_exemption": "exemption",
            "tell_people_method": "method",
            "told_people_at": "told_at",
        }
        if apply_service(form, decide, aliases):
            return _done(request, breach, "Decision on telling people recorded")
    return form_page(request, breach.incident, form, "Tell the people affected?")


def draft(request: HttpRequest, reference: str) -> HttpResponse:
    breach = queries.breach_for(request.user, reference)
    context = {"breach": breach, "incident": breach.incident, "sections": ico_draft.sections(breach)}
    return render(request, "breaches/draft.html", context)


def draft_markdown(request: HttpRequest, reference: str) -> HttpResponse:
    breach = queries.breach_for(request.user, reference)
    response = HttpResponse(ico_draft.markdown(breach), content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{breach.incident.reference}-ico-notification.md"'
    return response


def draft_docx(request: HttpRequest, reference: str) -> HttpResponse:
    breach = queries.breach_for(request.user, reference)
    response = HttpResponse(
        ico_draft.docx(breach),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = f'attachment; filename="{breach.incident.reference}-ico-notification.docx"'
    return response

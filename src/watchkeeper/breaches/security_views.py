"""Security response pages: contain, eradicate, recover, the NCSC decision and evidence.

Reached under /breaches/<reference>/security; 404 to anyone outside the incident, and for incidents
that are not security incidents or data breaches.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from watchkeeper.breaches import forms, services
from watchkeeper.breaches.access import incident_for, may_act, may_waive
from watchkeeper.breaches.models import EvidenceFile, EvidenceLogEntry, NcscReport, SecuritySection
from watchkeeper.breaches.security_guide import NCSC_CATEGORIES, SECTION_PARTS, must_tell_ncsc
from watchkeeper.breaches.views import form_page
from watchkeeper.domain.workflow import SecurityStep, security_steps
from watchkeeper.incidents.models import Incident
from watchkeeper.web.govuk_forms import apply_service


def _incident(request: HttpRequest, reference: str) -> Incident:
    incident = incident_for(request.user, reference)
    if not security_steps(incident.type_enum) and not incident.restricted:
        raise Http404(f"{reference} is not a security incident")
    return incident


def _actor(request: HttpRequest, reference: str) -> tuple[User, Incident]:
    incident = _incident(request, reference)
    if not may_act(request.user, incident):  # type: ignore[arg-type]
        raise PermissionDenied("You cannot act on this incident")
    return request.user, incident  # type: ignore[return-value]


def _done(request: HttpRequest, incident: Incident, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("breaches:security", reference=incident.reference)


def _step(step: str) -> SecurityStep:
    try:
        return SecurityStep(step)
    except ValueError:
        raise Http404(f"No step {step}") from None


def security(request: HttpRequest, reference: str) -> HttpResponse:
    incident = _incident(request, reference)
    found = {s.step: s for s in SecuritySection.objects.filter(incident=incident).select_related("done_by")}
    sections = [
        {"step": step, "section": found.get(step.value), "parts": SECTION_PARTS[step]}
        for step in security_steps(incident.type_enum)
    ]
    ncsc = NcscReport.objects.filter(incident=incident).first()
    context = {
        "incident": incident,
        "sections": sections,
        "ncsc": ncsc,
        "ncsc_category": NCSC_CATEGORIES.get(ncsc.category) if ncsc else None,
        "ncsc_needed": bool(ncsc and must_tell_ncsc(ncsc.category) and ncsc.told is None),
        "log": EvidenceLogEntry.objects.filter(incident=incident).select_related("by"),
        "files": EvidenceFile.objects.filter(incident=incident).select_related("uploaded_by"),
        "can_act": may_act(request.user, incident),  # type: ignore[arg-type]
        "can_waive": may_waive(request.user),
        "tz": incident.service.timezone,
    }
    return render(request, "breaches/security.html", context)


def section(request: HttpRequest, reference: str, step: str) -> HttpResponse:
    actor, incident = _actor(request, reference)
    wanted = _step(step)
    existing = SecuritySection.objects.filter(incident=incident, step=wanted.value).first()
    initial = {**(existing.notes if existing else {}), "done": bool(existing and existing.done_at)}
    form = forms.section_form(wanted, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        done = bool(data.pop("done"))
        if apply_service(form, lambda: services.save_security_section(actor, incident, wanted.value, data, done=done)):
            return _done(request, incident, f"{wanted.value.capitalize()} saved")
    return form_page(request, incident, form, wanted.label, back="breaches:security")


def waive(request: HttpRequest, reference: str, step: str) -> HttpResponse:
    actor, incident = _actor(request, reference)
    wanted = _step(step)
    if not may_waive(actor):
        raise PermissionDenied("Only the security group can waive a security step")
    form = forms.WaiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        if apply_service(form, lambda: services.waive_security_step(actor, incident, wanted.value, reason)):
            return _done(request, incident, f"{wanted.value.capitalize()} waived")
    return form_page(request, incident, form, f"Waive: {wanted.label}", back="breaches:security")


def ncsc(request: HttpRequest, reference: str) -> HttpResponse:
    actor, incident = _actor(request, reference)
    form = forms.NcscForm(request.POST or None, tz=incident.service.timezone)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        save = lambda: services.record_ncsc(  # noqa: E731
            actor, incident, data["category"], form.decision, data["told_at"], data["reason"]
        )
        if apply_service(form, save):
            return _done(request, incident, "NCSC decision recorded")
    return form_page(request, incident, form, "NCSC category and reporting", back="breaches:security")


def evidence_log(request: HttpRequest, reference: str) -> HttpResponse:
    actor, incident = _actor(request, reference)
    form = forms.EvidenceLogForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if apply_service(form, lambda: services.add_evidence_log(actor, incident, **data)):
            return _done(request, incident, "Evidence log entry added")
    return form_page(request, incident, form, "Add to the evidence log", back="breaches:security")


def evidence_upload(request: HttpRequest, reference: str) -> HttpResponse:
    actor, incident = _actor(request, reference)
    form = forms.EvidenceFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if apply_service(form, lambda: services.upload_evidence(actor, incident, data["file"], data["description"])):
            return _done(request, incident, "Evidence file stored")
    return form_page(request, incident, form, "Add an evidence file", back="breaches:security", multipart=True)


def evidence_download(request: HttpRequest, reference: str, pk: int) -> FileResponse:
    incident = _incident(request, reference)
    evidence = EvidenceFile.objects.filter(incident=incident, pk=pk).first()
    if evidence is None:
        raise Http404("No such evidence file")
    services.record_download(request.user, evidence)  # type: ignore[arg-type]
    response = FileResponse(
        evidence.file.open("rb"), as_attachment=True, filename=evidence.name, content_type="application/octet-stream"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response

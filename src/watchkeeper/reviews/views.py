"""Report, review and action pages: thin; every change goes through reviews.services.

Every page starts from incidents.queries.get_incident, so a restricted incident is a 404 to anyone outside it.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from watchkeeper.accounts.roles import is_admin
from watchkeeper.catalogue.models import Team
from watchkeeper.incidents.models import Incident
from watchkeeper.incidents.queries import get_incident, user_named
from watchkeeper.incidents.visibility import can_act_on
from watchkeeper.reviews import ics, queries, services
from watchkeeper.reviews.content import BLAMELESS_GUIDANCE, sections_from
from watchkeeper.reviews.docx_export import docx_bytes
from watchkeeper.reviews.forms import (
    ActionForm,
    ActionStatusForm,
    ReportForm,
    ReviewForm,
    ScheduleForm,
    TemplateForm,
    WaiverForm,
)
from watchkeeper.reviews.models import Action, Report, ReportTemplate, Review
from watchkeeper.reviews.report import build, markdown
from watchkeeper.web.govuk_forms import apply_service

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _actor(request: HttpRequest) -> User:
    # LoginRequiredMiddleware has already sent anyone signed out to the sign-in page.
    return cast(User, request.user)


def _acting(request: HttpRequest, reference: str) -> Incident:
    incident = get_incident(request.user, reference)
    if not can_act_on(request.user, incident):
        raise PermissionDenied("You cannot change the report or review of this incident")
    return incident


def _to_report(incident: Incident) -> HttpResponse:
    return redirect("reviews:report", reference=incident.reference)


def report_page(request: HttpRequest, reference: str) -> HttpResponse:
    incident = get_incident(request.user, reference)
    content = build(incident)
    return render(
        request,
        "reviews/report.html",
        {
            "c": content,
            "can_edit": can_act_on(request.user, incident),
            "can_waive": is_admin(request.user),
            "active_nav": "register",
        },
    )


def _download(body: str | bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def report_markdown(request: HttpRequest, reference: str) -> HttpResponse:
    incident = get_incident(request.user, reference)
    return _download(markdown(build(incident)), "text/markdown; charset=utf-8", f"{incident.reference}.md")


def report_docx(request: HttpRequest, reference: str) -> HttpResponse:
    incident = get_incident(request.user, reference)
    return _download(docx_bytes(build(incident)), DOCX, f"{incident.reference}.docx")


def report_edit(request: HttpRequest, reference: str) -> HttpResponse:
    incident = _acting(request, reference)
    report = Report.objects.filter(incident=incident).first() or Report(incident=incident, sections={})
    sections = services.template_sections(incident)
    initial: dict[str, Any] = {f"section_{s.key}": report.sections.get(s.key, "") for s in sections}
    initial.update(public_text=report.public_text, publishable=report.publishable, version=report.version)
    form = ReportForm(request.POST or None, initial=initial, sections=sections, restricted=incident.restricted)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        written = {s.key: data[f"section_{s.key}"] for s in sections}
        public: dict[str, Any] = {}
        if not incident.restricted:
            public = {"public_text": data["public_text"], "publishable": data["publishable"]}
        save = lambda: services.update_report(  # noqa: E731
            _actor(request), incident, sections=written, expected_version=data["version"], **public
        )
        if apply_service(form, save):
            messages.success(request, "Report saved")
            return _to_report(incident)
    return render(request, "reviews/report_form.html", {"form": form, "incident": incident, "active_nav": "register"})


def _review(incident: Incident) -> Review | None:
    return Review.objects.filter(incident=incident).first()


def review_record(request: HttpRequest, reference: str) -> HttpResponse:
    incident = _acting(request, reference)
    review = _review(incident)
    tz = incident.service.timezone
    initial: dict[str, Any] = {"version": review.version if review else None}
    if review and review.is_recorded:
        initial.update({name: getattr(review, name) for name in services.RECORD_FIELDS})
        initial["held_at"] = queries.local(incident, review.held_at).strftime("%Y-%m-%d %H:%M")  # type: ignore[union-attr]
    form = ReviewForm(request.POST or None, initial=initial, tz=tz)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        if apply_service(
            form, lambda: services.record_review(_actor(request), incident, expected_version=version, **data)
        ):
            messages.success(request, "Review recorded")
            return _to_report(incident)
    return render(
        request,
        "reviews/review_form.html",
        {"form": form, "incident": incident, "guidance": BLAMELESS_GUIDANCE, "active_nav": "register"},
    )


def review_schedule(request: HttpRequest, reference: str) -> HttpResponse:
    incident = _acting(request, reference)
    review = _review(incident)
    initial = {}
    if review is not None:
        if review.proposed_for:
            initial["proposed_for"] = queries.local(incident, review.proposed_for).strftime("%Y-%m-%d %H:%M")  # type: ignore[union-attr]
        initial["invitees"] = ", ".join(review.invitees.order_by("username").values_list("username", flat=True))
    form = ScheduleForm(request.POST or None, initial=initial, tz=incident.service.timezone)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def save() -> None:
            names = [name.strip() for name in data["invitees"].split(",") if name.strip()]
            people = [user_named(name, "invitees") for name in names]
            services.schedule_review(_actor(request), incident, proposed_for=data["proposed_for"], invitees=people)

        if apply_service(form, save):
            messages.success(request, "Review date saved")
            return _to_report(incident)
    return render(
        request,
        "reviews/simple_form.html",
        {"form": form, "incident": incident, "title": "Plan the review", "active_nav": "register"},
    )


def review_waive(request: HttpRequest, reference: str) -> HttpResponse:
    incident = get_incident(request.user, reference)
    if not is_admin(request.user):
        raise PermissionDenied("Only admins can waive a review")
    form = WaiverForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        if apply_service(form, lambda: services.waive_review(_actor(request), incident, reason)):
            messages.success(request, "Review waived")
            return _to_report(incident)
    return render(
        request,
        "reviews/simple_form.html",
        {"form": form, "incident": incident, "title": "Waive the review", "active_nav": "register"},
    )


def review_ics(request: HttpRequest, reference: str) -> HttpResponse:
    incident = get_incident(request.user, reference)
    review = _review(incident)
    if review is None or review.proposed_for is None:
        raise Http404(f"The review of {incident.reference} has no date yet")
    return _download(ics.invitation(review), "text/calendar; charset=utf-8", f"{incident.reference}-review.ics")


def action_new(request: HttpRequest, reference: str) -> HttpResponse:
    incident = _acting(request, reference)
    form = ActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def save() -> None:
            owner = user_named(data["owner"].strip(), "owner")
            services.add_action(
                _actor(request),
                incident,
                title=data["title"],
                owner=owner,
                due_in_business_days=data["due_in_business_days"],
                link=data["link"],
            )

        if apply_service(form, save):
            messages.success(request, "Action added")
            return _to_report(incident)
    return render(
        request,
        "reviews/simple_form.html",
        {"form": form, "incident": incident, "title": "Add a follow-up action", "active_nav": "register"},
    )


def _action(request: HttpRequest, action_id: int) -> Action:
    action = queries.actions_for(request.user).filter(pk=action_id).first()
    if action is None:
        raise Http404("No such action")
    return action


def action_status(request: HttpRequest, action_id: int) -> HttpResponse:
    action = _action(request, action_id)
    if not services.can_change_action(_actor(request), action):
        raise PermissionDenied("You cannot change this action")
    form = ActionStatusForm(request.POST or None, initial={"status": action.status})
    if request.method == "POST" and form.is_valid():
        status = form.cleaned_data["status"]
        if apply_service(form, lambda: services.update_action(_actor(request), action, status=status)):
            messages.success(request, "Action updated")
            return _to_report(action.incident)
    return render(
        request,
        "reviews/simple_form.html",
        {
            "form": form,
            "incident": action.incident,
            "title": f"Update action: {action.title}",
            "active_nav": "register",
        },
    )


def template_edit(request: HttpRequest, team: str) -> HttpResponse:
    """An admin shapes a team's report: headings and guidance, starting from the GDS template."""
    if not is_admin(request.user):
        raise PermissionDenied("Only admins can change a team's report template")
    found = get_object_or_404(Team, slug=team)
    current = ReportTemplate.objects.filter(team=found).first()
    initial = {"sections": TemplateForm.text_for(sections_from(current.sections if current else None))}
    form = TemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        sections = form.cleaned_data["sections"]
        if apply_service(form, lambda: services.set_template(_actor(request), found, sections)):
            messages.success(request, f"Report template for {found.name} saved")
            return redirect("catalogue:teams")
    return render(
        request,
        "reviews/template_form.html",
        {"form": form, "team": found, "title": f"Report template for {found.name}", "active_nav": "teams"},
    )

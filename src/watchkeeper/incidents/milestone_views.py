"""The milestones page: see an incident's milestone times and correct them, with a reason, in order."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from watchkeeper.incidents import queries, services
from watchkeeper.incidents.forms import MilestonesForm
from watchkeeper.incidents.services import milestones
from watchkeeper.incidents.views import user_of
from watchkeeper.incidents.visibility import can_act_on
from watchkeeper.web.govuk_forms import put_errors


def milestones_page(request: HttpRequest, reference: str) -> HttpResponse:
    user = user_of(request)
    incident = queries.get_incident(user, reference)
    acting = can_act_on(user, incident)
    form = MilestonesForm(request.POST if request.method == "POST" else None, incident=incident)
    if request.method == "POST":
        if not acting:
            raise PermissionDenied("You can read this incident but not act on it")
        if form.is_valid():
            try:
                milestones.correct_milestones(
                    user,
                    incident,
                    form.changes(incident),
                    form.cleaned_data["reason"],
                    exercise=form.cleaned_data["exercise"],
                    expected_version=form.cleaned_data["version"],
                )
            except services.Conflict as conflict:
                form.add_error(None, str(conflict))
            except ValidationError as error:
                put_errors(form, error)
            else:
                messages.success(request, "Milestones saved")
                return redirect("incidents:incident", reference=incident.reference)
    return render(request, "incidents/milestones.html", {"incident": incident, "form": form, "acting": acting})

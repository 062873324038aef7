"""The forms on an incident page each post here, to a URL of their own under /incidents/<reference>/.

Every action follows one path: find the incident through visibility (404 for one the person may not
see, exactly as for one that does not exist), check they may act (403), validate the form, call one
service function, and either redirect back with a success banner or re-render the incident page with
a GOV.UK error summary. A stale version is a Conflict, shown the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse

from watchkeeper.domain.workflow import Status
from watchkeeper.incidents import panels, queries, services
from watchkeeper.incidents.checklist import checklist
from watchkeeper.incidents.forms import (
    CloseForm,
    NoteForm,
    PriorityForm,
    ReopenForm,
    RoleForm,
    StatusForm,
    TickForm,
    UpdateForm,
)
from watchkeeper.incidents.models import EntryKind, Incident
from watchkeeper.incidents.views import incident_page, open_steps, user_of
from watchkeeper.incidents.visibility import can_act_on
from watchkeeper.web.govuk_forms import put_errors

FormFactory = Callable[[QueryDict, Incident], forms.Form]


@dataclass(frozen=True)
class Next:
    """The banner's words, and the page the person needs next when it is not this incident's (the status page
    form, say, when the public has not been told yet)."""

    message: str
    url: str
    level: int = messages.SUCCESS


# Runs the service function and returns the words for the success banner, or where to go next.
Handler = Callable[[User, Incident, dict[str, Any]], "str | Next"]
# The sections of the incident page a form may send the person back to.
SECTIONS = {"summary", "act", "roles", "priority", "checklist", "timeline"}


def _back(request: HttpRequest, incident: Incident, section: str) -> HttpResponse:
    # A form inside the summary says so; otherwise back to the section the form lives in, not the top.
    asked = request.POST.get("return_to", "")
    fragment = asked if asked in SECTIONS else section
    return redirect(reverse("incidents:incident", kwargs={"reference": incident.reference}) + f"#{fragment}")


def action(
    make_form: FormFactory, handler: Handler, renames: dict[str, str] | None = None, section: str = "summary"
) -> Callable[..., HttpResponse]:
    def view(request: HttpRequest, reference: str) -> HttpResponse:
        user = user_of(request)
        incident = queries.get_incident(user, reference)
        if request.method != "POST":
            # Reloading the address an error page was posted to just shows the incident again.
            return redirect("incidents:incident", reference=incident.reference)
        if not can_act_on(user, incident):
            raise PermissionDenied("You can read this incident but not act on it")
        form = make_form(request.POST, incident)
        if form.is_valid():
            try:
                message = handler(user, incident, form.cleaned_data)
            except services.Conflict as conflict:
                form.add_error(None, str(conflict))
            except ValidationError as error:
                put_errors(form, error, renames)
            else:
                if isinstance(message, Next):
                    messages.add_message(request, message.level, message.message)
                    return redirect(message.url)
                messages.success(request, message)
                return _back(request, incident, section)
        # Re-read: after a conflict the page must show what the other person changed, and its new version.
        return incident_page(request, queries.get_incident(user, reference), failed=form)

    return view


def _post_update(user: User, incident: Incident, data: dict[str, Any]) -> str | Next:
    state = panels.public_states(user, [incident])[incident.pk]
    if data["public"] and not state.open_publicly:
        # Never say "posted" when the public page would not show it: the first public post is a publish.
        if not state.href:
            raise ValidationError(
                {"public": f"{incident.reference} is not on the status page yet and you cannot publish it: "
                 "untick Public to post this update internally, or ask an admin to publish it"}
            )  # fmt: skip
        return Next(
            f"Nothing is public yet: {incident.reference} is not on the status page. "
            "Check the public title and wording, then publish.",
            f"{state.href}?{urlencode({'body': data['body'].strip()})}",
            messages.WARNING,
        )
    services.post_update(
        user,
        incident,
        data["body"],
        public=data["public"],
        expected_version=data["version"],
        confirm_restricted=data["confirm_restricted"],
    )
    return "Update posted, and on the status page" if data["public"] else "Update posted"


def _add_note(user: User, incident: Incident, data: dict[str, Any]) -> str:
    services.add_note(user, incident, data["body"], data["kind"])
    return f"{EntryKind(data['kind']).label} added to the timeline"


def _change_status(user: User, incident: Incident, data: dict[str, Any]) -> str | Next:
    if data["status"] == Status.RESOLVED.value:
        changed = services.resolve(user, incident, data["summary"], expected_version=data["version"])
        done = f"{incident.reference} resolved."
    else:
        changed = services.change_status(user, incident, data["status"], data["note"], expected_version=data["version"])
        done = f"Status changed to {data['status']}."
    state = panels.public_states(user, [changed])[changed.pk]
    if state.behind(changed) and state.href:
        # The same step offers the public post that matches, so the status page never contradicts the incident.
        public = state.status.capitalize()
        return Next(f"{done} The status page still says {public}: post the matching public update.", state.href)
    follow_up = panels.after_resolve(user, changed) if data["status"] == Status.RESOLVED.value else None
    if follow_up is not None:
        return Next(f"{done} {follow_up.text}", follow_up.href)
    return done


def _change_priority(user: User, incident: Incident, data: dict[str, Any]) -> str:
    changed = services.change_priority(
        user, incident, data["priority"], data["reason"], expected_version=data["version"]
    )
    return f"Priority set to {changed.priority}: deadlines recalculated"


def _assign(role: str, label: str) -> Handler:
    def handler(user: User, incident: Incident, data: dict[str, Any]) -> str:
        person = queries.user_named(data["username"].strip(), "username")
        services.assign_role(user, incident, role, person, expected_version=data["version"])
        who = "You are" if person == user else f"{person.get_username()} is"
        return f"{who} now the {label}"

    return handler


def _join(user: User, incident: Incident, data: dict[str, Any]) -> str:
    services.join(user, incident)
    return "You joined the response team"


def _leave(user: User, incident: Incident, data: dict[str, Any]) -> str:
    services.leave(user, incident)
    return "You left the response team"


def _tick(user: User, incident: Incident, data: dict[str, Any]) -> str:
    services.tick_step(user, incident, data["step"], data["note"])
    return "Step ticked on the checklist"


def _reopen(user: User, incident: Incident, data: dict[str, Any]) -> str:
    services.reopen(user, incident, data["reason"])
    return f"{incident.reference} reopened: it is investigating again"


def _close(user: User, incident: Incident, data: dict[str, Any]) -> str:
    services.close(user, incident, expected_version=data["version"])
    return f"{incident.reference} closed"


post_update = action(lambda data, _: UpdateForm(data, prefix="update"), _post_update, section="act")
add_note = action(lambda data, _: NoteForm(data, prefix="note"), _add_note, section="timeline")
change_status = action(lambda data, i: StatusForm(data, prefix="status", incident=i), _change_status, section="act")
change_priority = action(lambda data, _: PriorityForm(data, prefix="priority"), _change_priority, section="priority")
assign_lead = action(
    lambda data, _: RoleForm(data, prefix="lead", role="incident lead"),
    _assign("incident_lead", "incident lead"),
    section="roles",
)
assign_comms = action(
    lambda data, _: RoleForm(data, prefix="comms", role="comms lead"),
    _assign("comms_lead", "comms lead"),
    section="roles",
)
assign_technical = action(
    lambda data, _: RoleForm(data, prefix="technical", role="technical lead"),
    _assign("technical_lead", "technical lead"),
    section="roles",
)
join = action(lambda data, _: forms.Form(data, prefix="team"), _join, section="roles")
leave = action(lambda data, _: forms.Form(data, prefix="team"), _leave, section="roles")
tick_step = action(
    lambda data, i: TickForm(data, prefix="tick", open_steps=open_steps(checklist(i))), _tick, section="checklist"
)
reopen = action(lambda data, _: ReopenForm(data, prefix="reopen"), _reopen, renames={"note": "reason"})
close = action(lambda data, _: CloseForm(data, prefix="close"), _close)

from django.urls import path
from django.views.generic import RedirectView

from watchkeeper.incidents import action_views as act
from watchkeeper.incidents import milestone_views, views

app_name = "incidents"

# Every action has its own URL under the incident, so each form posts exactly one thing.
incident_actions = [
    ("updates", act.post_update, "update"),
    ("notes", act.add_note, "note"),
    ("status", act.change_status, "status"),
    ("priority", act.change_priority, "priority"),
    ("lead", act.assign_lead, "lead"),
    ("comms-lead", act.assign_comms, "comms"),
    ("technical-lead", act.assign_technical, "technical"),
    ("join", act.join, "join"),
    ("leave", act.leave, "leave"),
    ("checklist", act.tick_step, "tick"),
    ("reopen", act.reopen, "reopen"),
    ("close", act.close, "close"),
]

urlpatterns = [
    # The list of incidents is the home page; an old bookmark to /incidents/ should still land there.
    path("", RedirectView.as_view(pattern_name="home"), name="list"),
    path("declare", views.declare, name="declare"),
    path("<str:reference>/", views.incident, name="incident"),
    path("<str:reference>/milestones", milestone_views.milestones_page, name="milestones"),
    *(path(f"<str:reference>/{segment}", view, name=name) for segment, view, name in incident_actions),
]

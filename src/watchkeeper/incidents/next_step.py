"""The words and the link for the one next action at the top of an incident page (the rule is in the domain)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse

from watchkeeper.domain.next_action import Need, Situation, Urgency, next_need
from watchkeeper.domain.workflow import Step
from watchkeeper.incidents.checklist import StepState
from watchkeeper.incidents.models import Incident
from watchkeeper.incidents.panels import PublicState
from watchkeeper.web.formatting import relative


@dataclass(frozen=True)
class NextStep:
    need: str
    title: str
    detail: str = ""
    button: str = ""
    href: str = ""


def situation(incident: Incident, steps: list[StepState], public: PublicState, now: datetime) -> Situation:
    wider = next(state for state in steps if state.step is Step.WIDER_AUDIENCE_TOLD)
    return Situation(
        status=incident.status_enum,
        has_lead=incident.incident_lead_id is not None,
        has_comms_lead=incident.comms_lead_id is not None,
        wider_audience_required=wider.required,
        wider_audience_told=wider.done_at is not None,
        status_page_behind=public.behind(incident),
        next_update_due=incident.next_update_due,
        now=now,
    )


def next_step(incident: Incident, steps: list[StepState], public: PublicState, now: datetime) -> NextStep:
    need = next_need(situation(incident, steps, public, now))
    response = relative(incident.respond_by, now)
    update = relative(incident.next_update_due, now)
    match need:
        case Need.TAKE_LEAD:
            return NextStep(need, "Take the lead", f"A response is {response}: the response is met once someone leads.")
        case Need.NAME_COMMS_LEAD:
            return NextStep(need, "Name a comms lead", "The comms lead keeps people told. It can be the incident lead.")
        case Need.TELL_WIDER_AUDIENCE:
            if public.href:
                return NextStep(
                    need,
                    "Tell the wider audience",
                    "Publish it on the status page.",
                    "Publish to status page",
                    public.href,
                )
            return NextStep(
                need,
                "Tell the wider audience",
                "Post an update, or tick step 6 if you told them elsewhere.",
                "Post an update",
                "#act",
            )
        case Need.CORRECT_STATUS_PAGE:
            return NextStep(
                need,
                f"Update the status page: it still says {public.status.capitalize()}",
                f"The incident is {incident.status}.",
                "Post the matching public update",
                public.href,
            )
        case Need.UPDATE_OVERDUE | Need.UPDATE_DUE:
            return NextStep(
                need, f"Update {update}", "A stakeholder update resets the update clock.", "Post an update", "#act"
            )
        case Need.REVIEW:
            href = reverse("reviews:review", kwargs={"reference": incident.reference})
            return NextStep(
                need, "Hold the post-incident review", "Record it within 5 business days.", "Post-incident review", href
            )
    return NextStep(Need.NOTHING.value, "Nothing is due")


def urgency(incident: Incident, now: datetime) -> Urgency:
    return Urgency(
        response_overdue=incident.response_met_at is None and incident.respond_by < now,
        update_overdue=incident.next_update_due is not None and incident.next_update_due < now,
        unled=incident.incident_lead_id is None,
        priority=incident.priority,
        declared_at=incident.declared_at,
    )

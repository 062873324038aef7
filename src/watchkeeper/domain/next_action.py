"""The one thing the GDS workflow asks of the people on an incident now, for the top of its page.

Pure: the caller reads the incident, its checklist and the status page, and passes what it found with "now".
A lead first (the response clock), then telling the wider audience for P1 and P2 (until a comms lead is named the
incident lead does comms, and at 3am the public should not wait for a second person), then a comms lead to form the
response team, then keeping the update clock honest. A public page that contradicts the incident comes before all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from watchkeeper.domain.workflow import Status


class Need(StrEnum):
    TAKE_LEAD = "take_lead"
    NAME_COMMS_LEAD = "name_comms_lead"
    TELL_WIDER_AUDIENCE = "tell_wider_audience"
    CORRECT_STATUS_PAGE = "correct_status_page"
    UPDATE_OVERDUE = "update_overdue"
    UPDATE_DUE = "update_due"
    REVIEW = "review"
    NOTHING = "nothing"


@dataclass(frozen=True)
class Situation:
    status: Status
    has_lead: bool
    has_comms_lead: bool
    wider_audience_required: bool
    wider_audience_told: bool
    status_page_behind: bool
    next_update_due: datetime | None
    now: datetime


def next_need(s: Situation) -> Need:
    if s.status is Status.CLOSED:
        return Need.NOTHING
    if s.status_page_behind:
        # The public page contradicts the incident: whatever else is going on, fix what users are told.
        return Need.CORRECT_STATUS_PAGE
    if s.status is Status.RESOLVED:
        return Need.REVIEW
    if not s.has_lead:
        return Need.TAKE_LEAD
    if s.wider_audience_required and not s.wider_audience_told:
        # A P1 or P2 tells the public first: until a comms lead is named the incident lead does comms.
        return Need.TELL_WIDER_AUDIENCE
    if not s.has_comms_lead:
        return Need.NAME_COMMS_LEAD
    if s.next_update_due is None:
        return Need.NOTHING
    return Need.UPDATE_OVERDUE if s.next_update_due < s.now else Need.UPDATE_DUE


@dataclass(frozen=True)
class Urgency:
    """How much an open incident needs a person now, for ordering a list: lower sorts first."""

    response_overdue: bool
    update_overdue: bool
    unled: bool
    priority: str
    declared_at: datetime

    def key(self) -> tuple[int, str, datetime]:
        if self.response_overdue:
            rank = 0
        elif self.update_overdue:
            rank = 1
        elif self.unled:
            rank = 2
        else:
            rank = 3
        return (rank, self.priority, self.declared_at)

"""The one next action an incident page leads with, and how the dashboard ranks what needs a person."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from watchkeeper.domain.next_action import Need, Situation, Urgency, next_need
from watchkeeper.domain.workflow import Status

NOW = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
FRESH = Situation(
    status=Status.INVESTIGATING,
    has_lead=False,
    has_comms_lead=False,
    wider_audience_required=True,
    wider_audience_told=False,
    status_page_behind=False,
    next_update_due=NOW + timedelta(minutes=40),
    now=NOW,
)


def test_the_gds_order() -> None:
    assert next_need(FRESH) is Need.TAKE_LEAD
    led = replace(FRESH, has_lead=True)
    assert next_need(led) is Need.TELL_WIDER_AUDIENCE
    told_alone = replace(led, wider_audience_told=True)
    assert next_need(told_alone) is Need.NAME_COMMS_LEAD
    told = replace(told_alone, has_comms_lead=True)
    assert next_need(told) is Need.UPDATE_DUE
    assert next_need(replace(told, next_update_due=NOW - timedelta(minutes=1))) is Need.UPDATE_OVERDUE
    assert next_need(replace(told, next_update_due=None)) is Need.NOTHING


def test_p3_does_not_need_the_wider_audience() -> None:
    formed = replace(FRESH, has_lead=True, has_comms_lead=True, wider_audience_required=False)
    assert next_need(formed) is Need.UPDATE_DUE


def test_a_status_page_behind_the_incident_comes_first_and_resolved_asks_for_review() -> None:
    assert next_need(replace(FRESH, status_page_behind=True)) is Need.CORRECT_STATUS_PAGE
    assert next_need(replace(FRESH, status=Status.RESOLVED)) is Need.REVIEW
    assert next_need(replace(FRESH, status=Status.CLOSED, status_page_behind=True)) is Need.NOTHING


def test_urgency_puts_overdue_response_then_overdue_update_then_unled_first() -> None:
    late = NOW - timedelta(hours=1)
    calm_p1 = Urgency(False, False, False, "P1", NOW)
    unled_p2 = Urgency(False, False, True, "P2", late)
    update_late_p3 = Urgency(False, True, False, "P3", late)
    response_late_p2 = Urgency(True, False, True, "P2", late)
    ranked = sorted([calm_p1, unled_p2, update_late_p3, response_late_p2], key=Urgency.key)
    assert ranked == [response_late_p2, update_late_p3, unled_p2, calm_p1]

"""Review scheduling without a database or settings: the window and meeting time are arguments."""

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from watchkeeper.catalogue.holidays import default_calendar
from watchkeeper.domain.office_time import OfficeCalendar
from watchkeeper.domain.review_scheduling import Proposal, action_due, meeting_time, propose, window_days

EW = default_calendar()
LONDON = ZoneInfo("Europe/London")
MONDAY_10AM = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("resolved_at", "days", "meeting", "proposed_for", "due_by"),
    [
        # Resolution day is day 0: five working days from a Monday is the next Monday.
        (MONDAY_10AM, 5, time(10), datetime(2026, 12, 7, 10, 0, tzinfo=UTC), datetime(2026, 12, 7, 17, 30, tzinfo=UTC)),
        (MONDAY_10AM, 2, time(10), datetime(2026, 12, 2, 10, 0, tzinfo=UTC), datetime(2026, 12, 2, 17, 30, tzinfo=UTC)),
        # Resolved on a Saturday: the weekend is not counted.
        (
            datetime(2026, 12, 5, 11, 0, tzinfo=UTC),
            5,
            time(10),
            datetime(2026, 12, 11, 10, 0, tzinfo=UTC),
            datetime(2026, 12, 11, 17, 30, tzinfo=UTC),
        ),
        # Christmas Day and the Boxing Day substitute are skipped.
        (
            datetime(2026, 12, 18, 15, 0, tzinfo=UTC),
            5,
            time(10),
            datetime(2026, 12, 29, 10, 0, tzinfo=UTC),
            datetime(2026, 12, 29, 17, 30, tzinfo=UTC),
        ),
        # After hours still counts the day it happened as day 0.
        (
            datetime(2026, 11, 30, 20, 0, tzinfo=UTC),
            5,
            time(10),
            datetime(2026, 12, 7, 10, 0, tzinfo=UTC),
            datetime(2026, 12, 7, 17, 30, tzinfo=UTC),
        ),
        # A meeting time before opening moves to opening; one too late to finish by closing moves back an hour.
        (MONDAY_10AM, 1, time(8), datetime(2026, 12, 1, 9, 30, tzinfo=UTC), datetime(2026, 12, 1, 17, 30, tzinfo=UTC)),
        (
            MONDAY_10AM,
            1,
            time(17),
            datetime(2026, 12, 1, 16, 30, tzinfo=UTC),
            datetime(2026, 12, 1, 17, 30, tzinfo=UTC),
        ),
        # In summer the times are London wall-clock times.
        (
            datetime(2026, 6, 1, 9, 0, tzinfo=UTC),
            5,
            time(10),
            datetime(2026, 6, 8, 10, 0, tzinfo=LONDON),
            datetime(2026, 6, 8, 17, 30, tzinfo=LONDON),
        ),
    ],
)
def test_a_review_is_proposed_on_the_last_working_day_of_the_window(
    resolved_at: datetime, days: int, meeting: time, proposed_for: datetime, due_by: datetime
) -> None:
    assert propose(EW, resolved_at, days, meeting) == Proposal(proposed_for=proposed_for, due_by=due_by)


def test_a_service_with_its_own_hours_gets_its_own_review_time() -> None:
    nine_to_five = OfficeCalendar(holidays=EW.holidays, opening=time(9), closing=time(17))
    proposal = propose(nine_to_five, MONDAY_10AM, 1, time(16, 45))
    assert proposal == Proposal(
        proposed_for=datetime(2026, 12, 1, 16, 0, tzinfo=UTC), due_by=datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
    )


def test_actions_fall_due_in_business_days() -> None:
    friday_4pm = datetime(2026, 12, 4, 16, 0, tzinfo=UTC)
    assert action_due(EW, friday_4pm, 1) == datetime(2026, 12, 7, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize(("configured", "days"), [(5, 5), ("3", 3), (1, 1), (0, 1), (-4, 1)])
def test_the_window_is_at_least_one_business_day(configured: int | str, days: int) -> None:
    assert window_days(configured) == days


@pytest.mark.parametrize(("configured", "meeting"), [("10:00", time(10)), ("09:45", time(9, 45)), (time(14), time(14))])
def test_the_meeting_time_is_read_as_a_wall_clock_time(configured: object, meeting: time) -> None:
    assert meeting_time(configured) == meeting


def test_a_meeting_time_that_is_not_a_time_is_refused() -> None:
    with pytest.raises(ValueError):
        meeting_time("ten o'clock")

"""The Article 33 clock without a database: 72 elapsed hours, whatever the wall clock does in between."""

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from watchkeeper.domain.ico_clock import ico_deadline, milestones

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("aware_at", "deadline"),
    [
        (datetime(2026, 6, 1, 9, 0, tzinfo=UTC), datetime(2026, 6, 4, 9, 0, tzinfo=UTC)),
        # Spring forward: London loses an hour, the ICO's 72 hours do not.
        (datetime(2026, 3, 27, 10, 0, tzinfo=LONDON), datetime(2026, 3, 30, 10, 0, tzinfo=UTC)),
        # Fall back: aware in BST, due in GMT, still 72 elapsed hours.
        (datetime(2026, 10, 24, 12, 0, tzinfo=LONDON), datetime(2026, 10, 27, 11, 0, tzinfo=UTC)),
        (datetime(2026, 1, 1, 23, 30, tzinfo=timezone(timedelta(hours=-5))), datetime(2026, 1, 5, 4, 30, tzinfo=UTC)),
    ],
)
def test_the_deadline_is_72_elapsed_hours_in_utc(aware_at: datetime, deadline: datetime) -> None:
    found = ico_deadline(aware_at)
    assert found == deadline
    assert found.tzinfo is UTC
    assert found - aware_at == timedelta(hours=72)


def test_a_time_without_a_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        ico_deadline(datetime(2026, 6, 1, 9, 0))


def test_milestones_come_in_time_order_with_the_70_hour_escalation_before_its_reminder() -> None:
    start = datetime(2026, 3, 27, 10, 0, tzinfo=LONDON)
    utc = start.astimezone(UTC)
    assert milestones(start) == [
        (24, "reminder", utc + timedelta(hours=24)),
        (48, "reminder", utc + timedelta(hours=48)),
        (60, "reminder", utc + timedelta(hours=60)),
        (70, "escalation", utc + timedelta(hours=70)),
        (70, "reminder", utc + timedelta(hours=70)),
        (72, "escalation", utc + timedelta(hours=72)),
    ]

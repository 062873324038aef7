"""On-call load: which pages were out of hours, at night or on a bank holiday, on the office's own clock."""

from __future__ import annotations

from datetime import UTC, date, datetime

from watchkeeper.domain.office_time import BankHolidays, OfficeCalendar
from watchkeeper.domain.page_load import PageHours, page_hours

CAL = OfficeCalendar(holidays=BankHolidays(frozenset({date(2026, 12, 25)}), date(2026, 1, 1), date(2026, 12, 31)))


def test_each_instant_is_classified_on_london_time() -> None:
    assert page_hours(CAL, datetime(2026, 12, 2, 10, 0, tzinfo=UTC)) == PageHours(False, False, False)
    assert page_hours(CAL, datetime(2026, 12, 2, 23, 30, tzinfo=UTC)) == PageHours(True, True, False)
    assert page_hours(CAL, datetime(2026, 12, 5, 12, 0, tzinfo=UTC)) == PageHours(True, False, False)
    assert page_hours(CAL, datetime(2026, 12, 25, 10, 0, tzinfo=UTC)) == PageHours(True, False, True)
    # 06:30 UTC in summer is 07:30 BST: after the night, before the office opens.
    assert page_hours(CAL, datetime(2026, 7, 1, 6, 30, tzinfo=UTC)) == PageHours(True, False, False)
    assert page_hours(CAL, datetime(2026, 7, 1, 22, 0, tzinfo=UTC)) == PageHours(True, True, False)


def test_beyond_the_known_holidays_the_weekday_and_hours_still_decide() -> None:
    assert page_hours(CAL, datetime(2027, 1, 4, 10, 0, tzinfo=UTC)) == PageHours(False, False, False)
    assert page_hours(CAL, datetime(2027, 1, 4, 18, 0, tzinfo=UTC)) == PageHours(True, False, False)

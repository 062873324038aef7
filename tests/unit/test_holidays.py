from datetime import date

import pytest

from watchkeeper.catalogue.holidays import bank_holidays, default_calendar
from watchkeeper.domain.office_time import Division, OfficeCalendar


@pytest.mark.parametrize("division", list(Division))
def test_whole_years_are_known(division: Division) -> None:
    holidays = bank_holidays(division)
    assert (holidays.first_known, holidays.last_known) == (date(2012, 1, 1), date(2028, 12, 31))
    assert all(day.weekday() < 5 for day in holidays.dates)


@pytest.mark.parametrize(
    ("division", "count_2026"),
    [(Division.ENGLAND_AND_WALES, 8), (Division.SCOTLAND, 9), (Division.NORTHERN_IRELAND, 10)],
)
def test_divisions_have_their_own_lists(division: Division, count_2026: int) -> None:
    assert len([day for day in bank_holidays(division).dates if day.year == 2026]) == count_2026


def test_the_list_is_read_once() -> None:
    assert bank_holidays(Division.SCOTLAND) is bank_holidays(Division.SCOTLAND)


@pytest.mark.parametrize("division", list(Division))
def test_default_calendar(division: Division) -> None:
    cal = default_calendar(division)
    assert cal == OfficeCalendar(holidays=bank_holidays(division), division=division)


def test_default_calendar_is_england_and_wales() -> None:
    assert default_calendar().division is Division.ENGLAND_AND_WALES

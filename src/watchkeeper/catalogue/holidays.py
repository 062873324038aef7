"""Bank holidays from the official GOV.UK list that ships inside ``govuk_bank_holidays``.

The package's cached copy of https://www.gov.uk/bank-holidays.json is used, never a
download, so results do not change while the service runs and tests need no network.
Updating the package updates the list.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from govuk_bank_holidays.bank_holidays import BankHolidays as GovukBankHolidays

from watchkeeper.domain.office_time import BankHolidays, Division, OfficeCalendar


@lru_cache
def bank_holidays(division: Division) -> BankHolidays:
    """The bank holidays GOV.UK lists for ``division``, known for every whole year the list covers."""
    govuk = GovukBankHolidays(use_cached_holidays=True)
    dates = frozenset(event["date"] for event in govuk.get_holidays(division=division.value))
    years = {day.year for day in dates}
    first_year, last_year = min(years), max(years)
    # Every year has Christmas, so a year with no holidays at all means the list is damaged,
    # and treating that year as known would silently count its holidays as working days.
    missing = sorted(set(range(first_year, last_year + 1)) - years)
    if missing:
        raise RuntimeError(f"the GOV.UK bank holiday list for {division} has no holidays in {missing}")
    return BankHolidays(dates=dates, first_known=date(first_year, 1, 1), last_known=date(last_year, 12, 31))


def default_calendar(division: Division = Division.ENGLAND_AND_WALES) -> OfficeCalendar:
    """The GDS default office: Monday to Friday, 09:30 to 17:30 in London, with the division's bank holidays."""
    return OfficeCalendar(holidays=bank_holidays(division), division=division)

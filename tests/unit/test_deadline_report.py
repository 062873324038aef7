"""The deadline report the CLI prints, computed without a database: in the asker's own UTC offset."""

from datetime import datetime

import pytest

from watchkeeper.catalogue.holidays import default_calendar
from watchkeeper.domain.deadlines import deadlines_json
from watchkeeper.domain.office_time import Division
from watchkeeper.domain.priority import DEFAULT_POLICIES, Priority


@pytest.mark.parametrize(
    ("priority", "division", "reported_at", "respond_by", "first_update_by", "update_every"),
    [
        ("P3", Division.ENGLAND_AND_WALES, "2026-12-24T16:30:00+00:00", "2026-12-29T10:30:00+00:00",
         "2026-12-30T16:30:00+00:00", None),
        # Asked in BST, answered in BST.
        ("P4", Division.ENGLAND_AND_WALES, "2026-04-02T12:00:00+01:00", "2026-04-07T12:00:00+01:00",
         "2026-04-13T12:00:00+01:00", None),
        ("P4", Division.SCOTLAND, "2026-04-02T12:00:00+01:00", "2026-04-06T12:00:00+01:00",
         "2026-04-10T12:00:00+01:00", None),
        # Asked from New York: the UTC deadlines are shown at -05:00.
        ("P1", Division.ENGLAND_AND_WALES, "2026-12-01T09:00:00-05:00", "2026-12-01T09:20:00-05:00",
         "2026-12-01T10:00:00-05:00", "PT1H"),
        ("P2", Division.NORTHERN_IRELAND, "2026-06-13T23:30:00+01:00", "2026-06-14T00:30:00+01:00",
         "2026-06-14T01:30:00+01:00", "PT2H"),
    ],
)  # fmt: skip
def test_the_report_is_in_the_callers_offset(
    priority: str, division: Division, reported_at: str, respond_by: str, first_update_by: str, update_every: str | None
) -> None:
    policy = DEFAULT_POLICIES[Priority.parse(priority)]
    report = deadlines_json(policy, default_calendar(division), datetime.fromisoformat(reported_at))
    assert report == {
        "priority": priority,
        "reported_at": reported_at,
        "respond_by": respond_by,
        "first_update_by": first_update_by,
        "update_every": update_every,
        "division": division.value,
    }

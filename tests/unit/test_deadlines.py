from datetime import UTC, datetime, time, timedelta

import pytest

from watchkeeper.catalogue.holidays import default_calendar
from watchkeeper.domain.deadlines import Deadlines, compute_deadlines, next_update_due, response_met_on_time
from watchkeeper.domain.office_time import BeyondKnownHolidays, Division, OfficeCalendar
from watchkeeper.domain.priority import DEFAULT_POLICIES, Priority, PriorityPolicy, Span

EW = default_calendar()
SCOTLAND = default_calendar(Division.SCOTLAND)
P1, P2, P3, P4 = (DEFAULT_POLICIES[p] for p in Priority)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


# --- compute_deadlines: the examples the CLI must reproduce ---------------------------


def test_p3_over_christmas() -> None:
    deadlines = compute_deadlines(P3, EW, at("2026-12-24T16:30+00:00"))
    assert deadlines == Deadlines(
        respond_by=at("2026-12-29T10:30+00:00"),
        first_update_by=at("2026-12-30T16:30+00:00"),
        update_every=None,
    )


@pytest.mark.parametrize(
    ("cal", "respond_by", "first_update_by"),
    [
        # England and Wales lose Good Friday and Easter Monday; Scotland only Good Friday.
        (EW, "2026-04-07T12:00+01:00", "2026-04-13T12:00+01:00"),
        (SCOTLAND, "2026-04-06T12:00+01:00", "2026-04-10T12:00+01:00"),
    ],
)
def test_p4_over_easter(cal: OfficeCalendar, respond_by: str, first_update_by: str) -> None:
    deadlines = compute_deadlines(P4, cal, at("2026-04-02T12:00+01:00"))
    assert (deadlines.respond_by, deadlines.first_update_by) == (at(respond_by), at(first_update_by))
    assert deadlines.update_every is None


def test_p1_across_the_spring_clock_change() -> None:
    deadlines = compute_deadlines(P1, EW, at("2026-03-29T00:50+00:00"))
    assert deadlines.respond_by.isoformat() == "2026-03-29T01:10:00+00:00"
    assert deadlines.first_update_by.isoformat() == "2026-03-29T01:50:00+00:00"
    assert deadlines.update_every == timedelta(hours=1)
    assert P1.update_interval.iso_duration() == "PT1H"


def test_p2_runs_through_the_night() -> None:
    deadlines = compute_deadlines(P2, EW, at("2026-06-13T23:30+01:00"))
    assert deadlines == Deadlines(
        respond_by=at("2026-06-14T00:30+01:00"),
        first_update_by=at("2026-06-14T01:30+01:00"),
        update_every=timedelta(hours=2),
    )


def test_scotland_nine_to_five() -> None:
    # Friday 16:00: one office hour left, Monday is St Andrew's Day, so Tuesday 10:00.
    cal = OfficeCalendar(holidays=SCOTLAND.holidays, division=Division.SCOTLAND, opening=time(9), closing=time(17))
    deadlines = compute_deadlines(P3, cal, at("2026-11-27T16:00+00:00"))
    assert deadlines.respond_by == at("2026-12-01T10:00+00:00")
    assert deadlines.first_update_by == at("2026-12-02T16:00+00:00")
    nine_to_five_in_england = OfficeCalendar(holidays=EW.holidays, opening=time(9), closing=time(17))
    assert compute_deadlines(P3, nine_to_five_in_england, at("2026-11-27T16:00+00:00")).respond_by == at(
        "2026-11-30T10:00+00:00"
    )


def test_deadlines_are_in_utc() -> None:
    deadlines = compute_deadlines(P4, EW, at("2026-04-02T12:00+01:00"))
    assert deadlines.respond_by.tzinfo is UTC
    assert deadlines.first_update_by.tzinfo is UTC


def test_overridden_policy() -> None:
    policy = P3.with_overrides(respond_within=Span.elapsed(minutes=30), update_interval=Span.office_hours(minutes=60))
    deadlines = compute_deadlines(policy, EW, at("2026-06-12T17:00+01:00"))
    assert deadlines.respond_by == at("2026-06-12T17:30+01:00")
    assert deadlines.first_update_by == at("2026-06-15T10:00+01:00")


def test_a_priority_change_recomputes_from_the_report() -> None:
    reported_at = at("2026-06-12T17:00+01:00")
    assert compute_deadlines(P1, EW, reported_at).respond_by < compute_deadlines(P3, EW, reported_at).respond_by


def test_deadlines_beyond_the_holiday_data() -> None:
    with pytest.raises(BeyondKnownHolidays, match="2029-01-01 is outside that"):
        compute_deadlines(P4, EW, at("2028-12-22T12:00+00:00"))


def test_naive_report_time_is_rejected() -> None:
    with pytest.raises(ValueError, match="must include a time zone offset"):
        compute_deadlines(P1, EW, datetime(2026, 6, 12, 12))


# --- next_update_due ------------------------------------------------------------------

REPORTED = "2026-06-15T10:00+01:00"  # a Monday


@pytest.mark.parametrize(
    ("policy", "last_update_at", "reopened_at", "resolved", "expected"),
    [
        # Repeating (P1/P2): each update or reopening restarts the interval.
        pytest.param(P1, None, None, False, "2026-06-15T11:00+01:00", id="P1 first update"),
        pytest.param(P2, None, None, False, "2026-06-15T12:00+01:00", id="P2 first update"),
        pytest.param(P1, "2026-06-15T10:40+01:00", None, False, "2026-06-15T11:40+01:00", id="P1 after an update"),
        pytest.param(
            P1, "2026-06-15T10:40+01:00", "2026-06-15T14:00+01:00", False, "2026-06-15T15:00+01:00", id="P1 reopened"
        ),
        pytest.param(
            P1,
            "2026-06-15T14:30+01:00",
            "2026-06-15T14:00+01:00",
            False,
            "2026-06-15T15:30+01:00",
            id="P1 updated after reopening",
        ),
        pytest.param(P1, None, "2026-06-15T14:00+01:00", False, "2026-06-15T15:00+01:00", id="P1 reopened, no update"),
        pytest.param(P1, "2026-06-15T10:40+01:00", None, True, None, id="P1 resolved"),
        pytest.param(P2, None, "2026-06-15T14:00+01:00", True, None, id="P2 resolved again after reopening"),
        # Single update (P3/P4): owed once, and once more after a reopening.
        pytest.param(P3, None, None, False, "2026-06-17T10:00+01:00", id="P3 first update"),
        pytest.param(P4, None, None, False, "2026-06-22T10:00+01:00", id="P4 first update"),
        pytest.param(P3, "2026-06-16T09:00+01:00", None, False, None, id="P3 update given"),
        pytest.param(P3, "2026-06-20T09:00+01:00", None, False, None, id="P3 late update still settles it"),
        pytest.param(P3, None, None, True, None, id="P3 resolved"),
        pytest.param(
            P3, None, "2026-06-18T15:00+01:00", False, "2026-06-22T15:00+01:00", id="P3 reopened, never updated"
        ),
        pytest.param(
            P3,
            "2026-06-16T09:00+01:00",
            "2026-06-18T15:00+01:00",
            False,
            "2026-06-22T15:00+01:00",
            id="P3 update before reopening does not count",
        ),
        pytest.param(
            P3, "2026-06-18T15:00+01:00", "2026-06-18T15:00+01:00", False, None, id="P3 update at the reopening"
        ),
        pytest.param(
            P4, "2026-06-19T09:00+01:00", "2026-06-18T15:00+01:00", False, None, id="P4 updated after reopening"
        ),
        pytest.param(P4, None, "2026-06-18T15:00+01:00", True, None, id="P4 reopened then resolved"),
    ],
)
def test_next_update_due(
    policy: PriorityPolicy, last_update_at: str | None, reopened_at: str | None, resolved: bool, expected: str | None
) -> None:
    due = next_update_due(
        policy,
        EW,
        reported_at=at(REPORTED),
        last_update_at=at(last_update_at) if last_update_at else None,
        reopened_at=at(reopened_at) if reopened_at else None,
        resolved=resolved,
    )
    assert due == (at(expected) if expected else None)


def test_the_first_update_due_matches_compute_deadlines() -> None:
    for policy in DEFAULT_POLICIES.values():
        reported_at = at("2026-12-24T16:30+00:00")
        due = next_update_due(
            policy, EW, reported_at=reported_at, last_update_at=None, reopened_at=None, resolved=False
        )
        assert due == compute_deadlines(policy, EW, reported_at).first_update_by


@pytest.mark.parametrize("field", ["reported_at", "last_update_at", "reopened_at"])
def test_next_update_due_rejects_naive_times(field: str) -> None:
    times: dict[str, datetime | None] = {
        "reported_at": at(REPORTED),
        "last_update_at": at(REPORTED),
        "reopened_at": at(REPORTED),
        field: datetime(2026, 6, 15, 10),
    }
    with pytest.raises(ValueError, match=f"^{field} must include a time zone offset"):
        next_update_due(P1, EW, resolved=True, **times)  # type: ignore[arg-type]


# --- response_met_on_time ----------------------------------------------------------


@pytest.mark.parametrize(
    ("met_at", "on_time"),
    [
        ("2026-06-15T10:19:59+01:00", True),
        ("2026-06-15T10:20+01:00", True),  # exactly at the deadline counts
        ("2026-06-15T09:20+00:00", True),  # the same instant written in UTC
        ("2026-06-15T10:20:01+01:00", False),
    ],
)
def test_response_met_on_time(met_at: str, on_time: bool) -> None:
    assert response_met_on_time(at("2026-06-15T10:20+01:00"), at(met_at)) is on_time


def test_response_met_on_time_rejects_naive_times() -> None:
    with pytest.raises(ValueError, match="met_at must include"):
        response_met_on_time(at("2026-06-15T10:20+01:00"), datetime(2026, 6, 15, 10))
    with pytest.raises(ValueError, match="respond_by must include"):
        response_met_on_time(datetime(2026, 6, 15, 10), at("2026-06-15T10:20+01:00"))

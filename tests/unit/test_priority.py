import dataclasses

import pytest

from watchkeeper.domain.priority import DEFAULT_POLICIES, Priority, PriorityPolicy, Span, SpanKind


@pytest.mark.parametrize(
    ("text", "expected"),
    [("P1", Priority.P1), ("p2", Priority.P2), (" P3 ", Priority.P3), ("p4", Priority.P4)],
)
def test_parse_priority(text: str, expected: Priority) -> None:
    assert Priority.parse(text) is expected


@pytest.mark.parametrize("text", ["P5", "P0", "", "critical", "1"])
def test_parse_unknown_priority(text: str) -> None:
    with pytest.raises(ValueError, match=rf"^unknown priority '{text}': use P1, P2, P3 or P4$"):
        Priority.parse(text)


def test_priority_values_are_the_names_people_use() -> None:
    assert [p.value for p in Priority] == ["P1", "P2", "P3", "P4"]
    assert f"{Priority.P1}" == "P1"


@pytest.mark.parametrize(
    ("span", "words"),
    [
        (Span.elapsed(minutes=1), "1 minute"),
        (Span.elapsed(minutes=20), "20 minutes"),
        (Span.elapsed(minutes=60), "1 hour"),
        (Span.elapsed(minutes=120), "2 hours"),
        (Span.elapsed(minutes=90), "1 hour 30 minutes"),
        (Span.elapsed(minutes=121), "2 hours 1 minute"),
        (Span.office_hours(minutes=60), "1 office hour"),
        (Span.office_hours(minutes=120), "2 office hours"),
        (Span.office_hours(minutes=45), "45 office minutes"),
        (Span.office_hours(minutes=150), "2 office hours 30 minutes"),
        (Span.business_days(1), "1 business day"),
        (Span.business_days(5), "5 business days"),
    ],
)
def test_describe(span: Span, words: str) -> None:
    assert span.describe() == words


@pytest.mark.parametrize(
    ("minutes", "iso"),
    [(20, "PT20M"), (60, "PT1H"), (90, "PT1H30M"), (120, "PT2H"), (1500, "PT25H")],
)
def test_iso_duration(minutes: int, iso: str) -> None:
    assert Span.elapsed(minutes=minutes).iso_duration() == iso


@pytest.mark.parametrize("span", [Span.office_hours(minutes=120), Span.business_days(1)])
def test_only_elapsed_spans_have_an_iso_duration(span: Span) -> None:
    with pytest.raises(ValueError, match="depends on the office calendar"):
        span.iso_duration()


def test_span_helpers_set_kind() -> None:
    assert Span.elapsed(minutes=5) == Span(SpanKind.ELAPSED, 5)
    assert Span.office_hours(minutes=5) == Span(SpanKind.OFFICE_HOURS, 5)
    assert Span.business_days(5) == Span(SpanKind.BUSINESS_DAYS, 5)


def test_span_accepts_stored_kind_strings() -> None:
    assert Span("office_hours", 120).kind is SpanKind.OFFICE_HOURS  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kind", "amount", "message"),
    [
        (SpanKind.ELAPSED, 0, "at least 1 minute, not 0"),
        (SpanKind.OFFICE_HOURS, -5, "at least 1 minute, not -5"),
        (SpanKind.BUSINESS_DAYS, 0, "at least 1 day, not 0"),
        (SpanKind.ELAPSED, 1.5, "whole number"),
        (SpanKind.ELAPSED, True, "whole number"),
    ],
)
def test_invalid_spans(kind: SpanKind, amount: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Span(kind, amount)


def test_unknown_span_kind() -> None:
    with pytest.raises(ValueError, match="fortnights"):
        Span("fortnights", 1)  # type: ignore[arg-type]


def test_default_policies_are_the_gds_table() -> None:
    rows = [
        (p.priority, p.name, p.example, p.respond_within, p.update_interval, p.updates_repeat, p.clock, p.updates)
        for p in DEFAULT_POLICIES.values()
    ]
    assert rows == [
        (
            Priority.P1,
            "Critical",
            "Complete outage, or ongoing unauthorised access",
            Span.elapsed(minutes=20),
            Span.elapsed(minutes=60),
            True,
            "Office and out of hours",
            "every 1 hour",
        ),
        (
            Priority.P2,
            "Major",
            "Substantial degradation of service",
            Span.elapsed(minutes=60),
            Span.elapsed(minutes=120),
            True,
            "Office and out of hours",
            "every 2 hours",
        ),
        (
            Priority.P3,
            "Significant",
            "Intermittent or degraded service due to platform issue",
            Span.office_hours(minutes=120),
            Span.business_days(2),
            False,
            "Office hours only",
            "once, after 2 business days",
        ),
        (
            Priority.P4,
            "Minor",
            "Component failure with no immediate impact, or an unsuccessful DoS attempt",
            Span.business_days(1),
            Span.business_days(5),
            False,
            "Office hours only",
            "once, after 5 business days",
        ),
    ]


def test_default_policies_cannot_be_edited_in_place() -> None:
    with pytest.raises(TypeError):
        DEFAULT_POLICIES[Priority.P1] = DEFAULT_POLICIES[Priority.P2]  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_POLICIES[Priority.P1].name = "Urgent"  # type: ignore[misc]


def test_with_overrides_replaces_only_what_is_given() -> None:
    p3 = DEFAULT_POLICIES[Priority.P3]
    faster = p3.with_overrides(respond_within=Span.office_hours(minutes=60))
    assert faster.respond_within == Span.office_hours(minutes=60)
    assert faster.update_interval == p3.update_interval
    assert (faster.priority, faster.name, faster.updates_repeat) == (Priority.P3, "Significant", False)
    assert p3.with_overrides() == p3
    assert p3.with_overrides(update_interval=Span.business_days(1)).update_interval == Span.business_days(1)


def test_clock_follows_the_response_span() -> None:
    p1 = DEFAULT_POLICIES[Priority.P1]
    assert p1.with_overrides(respond_within=Span.office_hours(minutes=20)).clock == "Office hours only"


def test_repeating_updates_need_an_elapsed_interval() -> None:
    with pytest.raises(ValueError, match="P1 updates repeat, so their interval must be elapsed time, not 2 office"):
        DEFAULT_POLICIES[Priority.P1].with_overrides(update_interval=Span.office_hours(minutes=120))


def test_single_update_may_be_elapsed() -> None:
    policy = DEFAULT_POLICIES[Priority.P4].with_overrides(update_interval=Span.elapsed(minutes=60 * 24))
    assert policy.updates == "once, after 24 hours"


def test_policy_is_a_plain_value() -> None:
    policy = PriorityPolicy(Priority.P2, "Major", "x", Span.elapsed(minutes=1), Span.elapsed(minutes=2), True)
    assert policy == dataclasses.replace(policy)
    assert hash(policy) == hash(dataclasses.replace(policy))

import pytest

from watchkeeper.domain.priority import Priority
from watchkeeper.domain.workflow import (
    OPEN_STATUSES,
    RESTRICTED_TYPES,
    TRANSITIONS,
    IncidentType,
    SecurityStep,
    Status,
    Step,
    TransitionNotAllowed,
    can_transition,
    check_transition,
    required_steps,
    security_steps,
)

ALLOWED = {
    ("investigating", "identified"),
    ("investigating", "monitoring"),
    ("investigating", "resolved"),
    ("identified", "investigating"),
    ("identified", "monitoring"),
    ("identified", "resolved"),
    ("monitoring", "investigating"),
    ("monitoring", "identified"),
    ("monitoring", "resolved"),
    ("resolved", "investigating"),
    ("resolved", "closed"),
}


def test_status_values() -> None:
    assert [s.value for s in Status] == ["investigating", "identified", "monitoring", "resolved", "closed"]


def test_transition_table_is_complete() -> None:
    assert set(TRANSITIONS) == set(Status)
    assert {(a.value, b.value) for a, targets in TRANSITIONS.items() for b in targets} == ALLOWED


@pytest.mark.parametrize("current", list(Status))
@pytest.mark.parametrize("wanted", list(Status))
def test_can_transition(current: Status, wanted: Status) -> None:
    assert can_transition(current, wanted) is ((current.value, wanted.value) in ALLOWED)


def test_check_transition_allows_the_table() -> None:
    check_transition(Status.RESOLVED, Status.INVESTIGATING)
    check_transition(Status.MONITORING, Status.INVESTIGATING)


@pytest.mark.parametrize(
    ("current", "wanted", "message"),
    [
        (
            Status.RESOLVED,
            Status.MONITORING,
            "cannot move from resolved to monitoring: allowed next statuses are investigating, closed",
        ),
        (
            Status.INVESTIGATING,
            Status.CLOSED,
            "cannot move from investigating to closed: allowed next statuses are identified, monitoring, resolved",
        ),
        (
            Status.MONITORING,
            Status.MONITORING,
            "cannot move from monitoring to monitoring: allowed next statuses are investigating, identified, resolved",
        ),
        (Status.CLOSED, Status.INVESTIGATING, "cannot move from closed to investigating: closed is final"),
    ],
)
def test_check_transition_explains_refusals(current: Status, wanted: Status, message: str) -> None:
    with pytest.raises(TransitionNotAllowed) as raised:
        check_transition(current, wanted)
    assert str(raised.value) == message
    assert (raised.value.current, raised.value.wanted) == (current, wanted)
    assert isinstance(raised.value, ValueError)


def test_open_statuses() -> None:
    assert frozenset({Status.INVESTIGATING, Status.IDENTIFIED, Status.MONITORING}) == OPEN_STATUSES


def test_transition_table_cannot_be_edited() -> None:
    with pytest.raises(TypeError):
        TRANSITIONS[Status.CLOSED] = frozenset({Status.INVESTIGATING})  # type: ignore[index]


@pytest.mark.parametrize(("text", "expected"), [("resolved", Status.RESOLVED), (" Monitoring ", Status.MONITORING)])
def test_parse_status(text: str, expected: Status) -> None:
    assert Status.parse(text) is expected


def test_parse_unknown_status() -> None:
    with pytest.raises(ValueError, match=r"^unknown status 'fixed': use investigating, identified, monitoring"):
        Status.parse("fixed")


@pytest.mark.parametrize(
    ("incident_type", "label", "restricted"),
    [
        (IncidentType.TECHNICAL_FAILURE, "Technical failure", False),
        (IncidentType.SYSTEM_ACCESS, "System access problem", False),
        (IncidentType.SECURITY_VULNERABILITY, "Security vulnerability", False),
        (IncidentType.SECURITY_INCIDENT, "Security incident", True),
        (IncidentType.PERSONAL_DATA_BREACH, "Personal data breach", True),
        (IncidentType.DENIAL_OF_SERVICE, "Denial of service", False),
        (IncidentType.OTHER, "Other", False),
    ],
)
def test_incident_types(incident_type: IncidentType, label: str, restricted: bool) -> None:
    assert incident_type.label == label
    assert incident_type.restricted is restricted
    assert (incident_type in RESTRICTED_TYPES) is restricted


def test_incident_type_api_values() -> None:
    assert [t.value for t in IncidentType] == [
        "technical_failure",
        "system_access",
        "security_vulnerability",
        "security_incident",
        "personal_data_breach",
        "denial_of_service",
        "other",
    ]


def test_parse_incident_type() -> None:
    assert IncidentType.parse("Personal_Data_Breach") is IncidentType.PERSONAL_DATA_BREACH
    with pytest.raises(ValueError, match=r"^unknown incident type 'outage': use technical_failure, system_access, "):
        IncidentType.parse("outage")


def test_steps_are_numbered_in_gds_order() -> None:
    assert [(step.number, step.value) for step in Step] == [
        (1, "lead_established"),
        (2, "team_informed"),
        (3, "prioritised"),
        (4, "response_team_formed"),
        (5, "investigating_with_report"),
        (6, "wider_audience_told"),
        (7, "resolved_and_reviewed"),
    ]


def test_every_step_has_a_plain_label() -> None:
    assert Step.LEAD_ESTABLISHED.label == "Incident lead established"
    assert Step.WIDER_AUDIENCE_TOLD.label == "Wider audience told"
    assert all(step.label and step.label[0].isupper() for step in Step)
    assert len({step.label for step in Step}) == len(Step)


@pytest.mark.parametrize("priority", [Priority.P1, Priority.P2])
@pytest.mark.parametrize("incident_type", list(IncidentType))
def test_serious_incidents_must_tell_a_wider_audience(priority: Priority, incident_type: IncidentType) -> None:
    assert required_steps(priority, incident_type) == list(Step)


@pytest.mark.parametrize("priority", [Priority.P3, Priority.P4])
@pytest.mark.parametrize("incident_type", list(IncidentType))
def test_lesser_incidents_need_not(priority: Priority, incident_type: IncidentType) -> None:
    assert required_steps(priority, incident_type) == [step for step in Step if step is not Step.WIDER_AUDIENCE_TOLD]


@pytest.mark.parametrize("incident_type", list(IncidentType))
def test_security_steps(incident_type: IncidentType) -> None:
    expected = [SecurityStep.CONTAIN, SecurityStep.ERADICATE, SecurityStep.RECOVER] if incident_type.restricted else []
    assert security_steps(incident_type) == expected


def test_security_step_labels() -> None:
    assert [step.label.split(":")[0] for step in SecurityStep] == ["Contain", "Eradicate", "Recover"]

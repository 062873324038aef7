"""Statuspage's words (DESIGN.md §3) and the rules that join them: no Django, no I/O."""

from __future__ import annotations

from enum import StrEnum


class ComponentStatus(StrEnum):
    OPERATIONAL = "operational"
    DEGRADED_PERFORMANCE = "degraded_performance"
    PARTIAL_OUTAGE = "partial_outage"
    MAJOR_OUTAGE = "major_outage"
    UNDER_MAINTENANCE = "under_maintenance"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class IncidentStatus(StrEnum):
    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"


class MaintenanceStatus(StrEnum):
    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    VERIFYING = "verifying"
    COMPLETED = "completed"


class Impact(StrEnum):
    NONE = "none"
    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"
    MAINTENANCE = "maintenance"


def values(enum: type[StrEnum]) -> frozenset[str]:
    """The plain strings an enum allows: Python 3.11 refuses ``"text" in SomeEnum``."""
    return frozenset(member.value for member in enum)


FINISHED = {IncidentStatus.RESOLVED.value, MaintenanceStatus.COMPLETED.value}
STATUS_LABELS = {s.value: s.value.replace("_", " ").capitalize() for s in [*IncidentStatus, *MaintenanceStatus]}

# Worst first: the order a page reads its overall status in.
_SEVERITY = {
    ComponentStatus.OPERATIONAL: 0,
    ComponentStatus.UNDER_MAINTENANCE: 1,
    ComponentStatus.DEGRADED_PERFORMANCE: 2,
    ComponentStatus.PARTIAL_OUTAGE: 3,
    ComponentStatus.MAJOR_OUTAGE: 4,
}
_IMPACT_ORDER = [Impact.NONE, Impact.MAINTENANCE, Impact.MINOR, Impact.MAJOR, Impact.CRITICAL]
_IMPACT_FOR_STATUS = {
    ComponentStatus.OPERATIONAL: Impact.NONE,
    ComponentStatus.UNDER_MAINTENANCE: Impact.NONE,
    ComponentStatus.DEGRADED_PERFORMANCE: Impact.MINOR,
    ComponentStatus.PARTIAL_OUTAGE: Impact.MAJOR,
    ComponentStatus.MAJOR_OUTAGE: Impact.CRITICAL,
}
_DESCRIPTIONS = {
    Impact.NONE: "All Systems Operational",
    Impact.MINOR: "Minor Service Outage",
    Impact.MAJOR: "Partial System Outage",
    Impact.CRITICAL: "Major System Outage",
}

# How much of a period counts as downtime for uptime: a partial outage hurts some users, so it counts
# for less than a major outage; degraded performance and maintenance do not count at all.
DOWNTIME_WEIGHT = {
    ComponentStatus.OPERATIONAL: 0.0,
    ComponentStatus.UNDER_MAINTENANCE: 0.0,
    ComponentStatus.DEGRADED_PERFORMANCE: 0.0,
    ComponentStatus.PARTIAL_OUTAGE: 0.3,
    ComponentStatus.MAJOR_OUTAGE: 1.0,
}

# Starting wording for each status, which the comms lead edits: plain English about users, not causes.
MESSAGE_TEMPLATES = {
    IncidentStatus.INVESTIGATING: "We are investigating a problem with {name}. Some people may not be able to use it. "
    "We will post another update soon.",
    IncidentStatus.IDENTIFIED: "We have found the cause of the problem with {name} and are working on a fix. "
    "We expect it to be fixed by [time].",
    IncidentStatus.MONITORING: "We have fixed the problem with {name}. We are watching it closely for the next "
    "[number] hours to make sure it stays fixed.",
    IncidentStatus.RESOLVED: "The problem with {name} is resolved. Everything is working normally.",
}


def worst_status(statuses: list[str]) -> ComponentStatus:
    parsed = [ComponentStatus(s) for s in statuses]
    return max(parsed, key=_SEVERITY.__getitem__, default=ComponentStatus.OPERATIONAL)


def impact_for(statuses: list[str]) -> Impact:
    """An incident's impact from its components: the worst status decides."""
    return _IMPACT_FOR_STATUS[worst_status(statuses)]


def worst_impact(impacts: list[str]) -> Impact:
    parsed = [Impact(i) for i in impacts]
    return max(parsed, key=_IMPACT_ORDER.index, default=Impact.NONE)


def page_status(component_statuses: list[str], open_impacts: list[str]) -> tuple[str, str]:
    """Statuspage's (indicator, description): the worse of the components and the open incidents."""
    indicator = worst_impact([impact_for(component_statuses).value, *open_impacts])
    if indicator is Impact.MAINTENANCE:
        indicator = Impact.NONE
    if indicator is Impact.NONE and ComponentStatus.UNDER_MAINTENANCE.value in component_statuses:
        return indicator.value, "Service Under Maintenance"
    return indicator.value, _DESCRIPTIONS[indicator]


def plain_list(names: list[str]) -> str:
    """ "Payments API", "Payments API and Payment pages", "A, B and C": how a sentence names several things."""
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def message_template(status: str, name: str) -> str:
    """The standard wording; ``name`` is what users know the affected thing as (a service or its components)."""
    template = MESSAGE_TEMPLATES.get(IncidentStatus(status)) if status in values(IncidentStatus) else None
    return template.format(name=name) if template else ""

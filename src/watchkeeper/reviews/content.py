"""The words of the GDS incident report template and review: sections, questions and blameless guidance."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    """A part of the report the team writes; the key is stable, the heading and guidance are the team's."""

    key: str
    heading: str
    guidance: str


GDS_SECTIONS: tuple[Section, ...] = (
    Section(
        "overview",
        "Overview",
        "What happened, in a few sentences a colleague outside the team would understand.",
    ),
    Section(
        "user_impact",
        "User impact",
        "Who could not do what, for how long, and roughly how many people were affected.",
    ),
    Section(
        "services_affected",
        "Services affected and departmental impact",
        "Which services, components and other teams or departments were affected, and how.",
    ),
)
SECTION_KEYS = frozenset(section.key for section in GDS_SECTIONS)


@dataclass(frozen=True)
class Question:
    field: str
    text: str
    hint: str = ""


# The review record beyond date, attendance and root cause: each is a field on Review, in this order.
REVIEW_QUESTIONS: tuple[Question, ...] = (
    Question("contributing_factors", "What conditions contributed?", "Systems, processes and circumstances."),
    Question("why_not_caught", "Why was it not caught before it reached users?"),
    Question("alerted_quickly", "Were we alerted quickly?", "How we found out, and how long that took."),
    Question("diagnosed_and_fixed_quickly", "Did we diagnose and fix it quickly?"),
    Question("underlying_issue_fixed", "Is the underlying issue fixed?", "If not, what is left to do."),
    Question("what_helped", "What helped?"),
    Question("what_hindered", "What hindered?"),
    Question("process_and_comms", "Was the incident process followed, and were communications effective?"),
    Question("how_to_improve", "How do we improve?"),
    Question("recommendations", "Recommendations", "Changes the team recommends beyond the actions below."),
)

BLAMELESS_GUIDANCE: tuple[str, ...] = (
    "Describe systems and conditions, not people. Ask what made the action seem reasonable at the time.",
    "Assume everyone acted in good faith with the information they had.",
    "Write 'the deploy removed the index', not 'Sam removed the index'.",
    "Give each action one owner, a person rather than a team, and a due date.",
)


def sections_from(data: object) -> tuple[Section, ...]:
    """A stored team template as sections; anything malformed falls back to the GDS template."""
    if not isinstance(data, list) or not data:
        return GDS_SECTIONS
    found = []
    for item in data:
        if not isinstance(item, dict) or not str(item.get("key", "")).strip() or not item.get("heading"):
            return GDS_SECTIONS
        found.append(Section(str(item["key"]).strip(), str(item["heading"]), str(item.get("guidance", ""))))
    return tuple(found)

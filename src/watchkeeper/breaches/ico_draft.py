"""The ICO notification draft: every Article 33(3) element from the record, as sections to paste into the ICO form.

One list of sections feeds the web page, Markdown and .docx, so the three never disagree.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from docx import Document

from watchkeeper.breaches.models import Breach, Exemption, Risk
from watchkeeper.web.formatting import when

MISSING = "Not yet recorded"


@dataclass(frozen=True)
class Section:
    heading: str
    article: str
    text: str


def _or_missing(text: str) -> str:
    return text.strip() or MISSING


def _categories(categories: str, count: int | None, noun: str) -> str:
    """'Benefit claimants (about 340 people)'; what is missing is said once, plainly, not twice in a row."""
    if not categories.strip() and count is None:
        return MISSING
    number = f"number of {noun} not yet recorded" if count is None else f"about {count:,} {noun}"
    return f"{_or_missing(categories)} ({number})"


def sections(breach: Breach, tz: str | None = None) -> list[Section]:
    incident = breach.incident
    tz = tz or incident.service.timezone
    people = _categories(breach.people_categories, breach.people_count, "people")
    records = _categories(breach.record_categories, breach.record_count, "records")
    measures = (
        f"Taken: {_or_missing(breach.measures_taken)}\n\nProposed, including to reduce possible adverse effects: "
        f"{_or_missing(breach.measures_proposed)}"
    )
    timing = (
        f"The problem was first noticed {when(incident.reported_at, tz)}. We became aware of the breach "
        f"{when(breach.aware_at, tz)}; the 72-hour deadline is {when(breach.ico_deadline, tz)}."
    )
    found = [
        Section("Our reference", "", f"{incident.reference}: {incident.title}"),
        Section("When it happened and when we became aware", "Article 33(1)", timing),
        Section("Nature of the breach", "Article 33(3)(a)", _or_missing(breach.nature)),
        Section("Categories and approximate number of people concerned", "Article 33(3)(a)", people),
        Section("Categories and approximate number of personal data records concerned", "Article 33(3)(a)", records),
        Section(
            "Data protection officer or other contact point", "Article 33(3)(b)", _or_missing(breach.contact_point)
        ),
        Section("Likely consequences", "Article 33(3)(c)", _or_missing(breach.likely_consequences)),
        Section("Measures taken or proposed", "Article 33(3)(d)", measures),
    ]
    if breach.risk:
        risk = f"{Risk(breach.risk).label}. {breach.risk_reasoning}".strip()
        found.append(Section("Our assessment of the risk to people", "", risk))
    if breach.tell_people is not None:
        told = "We are telling the people affected" if breach.tell_people else "We are not telling the people affected"
        if breach.tell_people_exemption:
            told += f" ({Exemption(breach.tell_people_exemption).label})"
        if breach.tell_people_method:
            told += f" by {breach.tell_people_method}"
        found.append(Section("Telling the people affected", "Article 34", f"{told}. {breach.tell_people_reason}"))
    if (breach.reported_to_ico_at and breach.reported_to_ico_at > breach.ico_deadline) or breach.delay_reasons:
        found.append(Section("Reasons for the delay", "Article 33(1)", _or_missing(breach.delay_reasons)))
    found.append(
        Section(
            "Further information",
            "Article 33(4)",
            "Where we cannot give all the information now, we will provide it in phases without undue further delay.",
        )
    )
    return found


def title(breach: Breach) -> str:
    return f"Personal data breach notification: {breach.incident.reference}"


def markdown(breach: Breach) -> str:
    lines = [f"# {title(breach)}", ""]
    for section in sections(breach):
        heading = f"{section.heading} ({section.article})" if section.article else section.heading
        lines += [f"## {heading}", "", section.text, ""]
    return "\n".join(lines)


def docx(breach: Breach) -> bytes:
    document = Document()
    document.add_heading(title(breach), level=1)
    for section in sections(breach):
        heading = f"{section.heading} ({section.article})" if section.article else section.heading
        document.add_heading(heading, level=2)
        for paragraph in section.text.split("\n\n"):
            document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()

"""How the incident commands print what the API answers: tables and pages for people at a terminal."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from watchkeeper.web.formatting import relative, when

Json = dict[str, Any]


def _instant(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _when(incident: Json, field: str) -> str:
    return when(_instant(incident[field]), incident["timezone"])


def _due(incident: Json, field: str, now: datetime) -> str:
    """'due in 12 minutes', 'overdue by 5 minutes' or 'nothing due'."""
    return relative(_instant(incident[field]), now).lower()


def deadline(incident: Json, field: str, now: datetime) -> str:
    if incident[field] is None:
        return "nothing due"
    return f"{_when(incident, field)} ({_due(incident, field, now)})"


def respond_by(incident: Json, now: datetime) -> str:
    if incident["response_met_on_time"] is not None:
        return "met on time" if incident["response_met_on_time"] else "met late"
    if incident["resolved_at"]:
        return "never met"
    return _due(incident, "respond_by", now)


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=False)]
    lines = [
        "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)) for row in [headers, *rows]
    ]
    return "\n".join(line.rstrip() for line in lines)


def incident_rows(incidents: Sequence[Json], now: datetime) -> str:
    headers = ["REFERENCE", "PRIORITY", "STATUS", "SERVICE", "LEAD", "RESPOND BY", "NEXT UPDATE", "TITLE"]
    rows = [
        [
            i["reference"],
            i["priority"],
            i["status"],
            i["service"],
            i["incident_lead"] or "none yet",
            respond_by(i, now),
            _due(i, "next_update_due", now),
            i["title"],
        ]
        for i in incidents
    ]
    return _table(headers, rows)


def incident_facts(incident: Json, now: datetime) -> str:
    facts = [
        ("Service", incident["service"]),
        ("Type", incident["type"].replace("_", " ")),
        ("Priority", incident["priority"]),
        ("Status", incident["status"] + (" (restricted)" if incident["restricted"] else "")),
        ("Reported", _when(incident, "reported_at")),
        ("Declared", f"{_when(incident, 'declared_at')} by {incident['declared_by']}"),
        ("Respond by", f"{_when(incident, 'respond_by')} ({respond_by(incident, now)})"),
        ("Next update", deadline(incident, "next_update_due", now)),
        *(
            [("Resolved", f"{_when(incident, 'resolved_at')}: {incident['summary']}")]
            if incident["resolved_at"]
            else []
        ),
        ("Incident lead", incident["incident_lead"] or "none yet"),
        ("Comms lead", incident["comms_lead"] or "none yet"),
        ("Technical lead", incident["technical_lead"] or "none"),
        ("Responders", ", ".join(incident["responders"]) or "none"),
        # Other records' phrases for you, such as a breach's ICO deadline; absent from an older server's answer.
        *(("Flag", flag) for flag in incident.get("flags", [])),
        ("Link", incident["url"]),
    ]
    width = max(len(label) for label, _ in facts)
    return "\n".join(f"{label.ljust(width)}  {value}" for label, value in facts)


def _step(step: Json) -> str:
    line = f"  [{'x' if step['done_at'] else ' '}] {step['number']}. {step['label']}"
    if step["done_at"]:
        return f"{line} ({step['done_by'] or 'Watchkeeper'})"
    return line if step["required"] else f"{line} (not required)"


def incident_page(incident: Json, now: datetime) -> str:
    steps = [_step(step) for step in incident["checklist"]]
    timeline = _table(
        ["WHEN", "WHO", "WHAT", ""],
        [
            [when(_instant(e["at"]), incident["timezone"]), e["author"] or "Watchkeeper", e["kind"], e["text"]]
            for e in incident["timeline"]
        ],
    )
    return "\n\n".join(
        [
            f"{incident['reference']}: {incident['title']}",
            incident_facts(incident, now),
            "GDS steps\n" + "\n".join(steps),
            "Timeline (oldest first)\n" + "\n".join(f"  {line}" for line in timeline.splitlines()),
        ]
    )

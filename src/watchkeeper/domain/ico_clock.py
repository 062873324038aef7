"""The Article 33 clock: 72 elapsed hours from awareness, and the milestones that remind people of it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

ICO_WINDOW = timedelta(hours=72)
REMINDER_HOURS = (24, 48, 60, 70)
# At 70 hours the data protection contacts hear too; at 72 hours they hear that it has passed.
ESCALATION_HOURS = (70, 72)


def ico_deadline(aware_at: datetime) -> datetime:
    """Computed in UTC: adding hours to a Europe/London time would count wall-clock hours across a clock change."""
    if aware_at.tzinfo is None:
        raise ValueError("aware_at needs a time zone")
    return aware_at.astimezone(UTC) + ICO_WINDOW


def milestones(aware_at: datetime) -> list[tuple[int, str, datetime]]:
    """(hours, kind, when) for every reminder and escalation, in time order."""
    start = aware_at.astimezone(UTC)
    found = [(h, "reminder", start + timedelta(hours=h)) for h in REMINDER_HOURS]
    found += [(h, "escalation", start + timedelta(hours=h)) for h in ESCALATION_HOURS]
    return sorted(found, key=lambda item: (item[2], item[1]))

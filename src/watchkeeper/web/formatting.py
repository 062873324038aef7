"""How times and durations read to a person at 3am: local wall time, plain relative phrases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings


def local_time(instant: datetime | None, tz: str | None = None) -> datetime | None:
    if instant is None:
        return None
    return instant.astimezone(ZoneInfo(tz or settings.TIME_ZONE))


def when(instant: datetime | None, tz: str | None = None) -> str:
    """'Fri 27 Nov 2026, 14:05 GMT': day name included because deadlines cross weekends."""
    local = local_time(instant, tz)
    if local is None:
        return "Not set"
    return local.strftime("%a %-d %b %Y, %H:%M %Z")


def duration(span: timedelta | None) -> str:
    if span is None:
        return "Not known"
    minutes = int(abs(span).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [
        f"{value} {unit}{'' if value == 1 else 's'}"
        for value, unit in ((days, "day"), (hours, "hour"), (mins, "minute"))
        if value
    ]
    if not parts:
        return "less than a minute"
    return " ".join(parts[:2])


def relative(deadline: datetime | None, now: datetime) -> str:
    """'due in 12 minutes' or 'overdue by 5 minutes': the words carry the meaning, not a colour."""
    if deadline is None:
        return "Nothing due"
    if deadline >= now:
        return f"due in {duration(deadline - now)}"
    return f"overdue by {duration(now - deadline)}"


INPUT_FORMAT = "%Y-%m-%d %H:%M"
_ACCEPTED_FORMATS = (INPUT_FORMAT, "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")


def local_input(instant: datetime, tz: str) -> str:
    """A time as a person types it into a form: '2026-11-30 09:45' in the service's own time zone."""
    return instant.astimezone(ZoneInfo(tz)).strftime(INPUT_FORMAT)


def parse_local(text: str, tz: str) -> datetime:
    """Reads 'YYYY-MM-DD HH:MM' as wall time in ``tz``; refuses a time the clocks skipped when they went forward."""
    zone = ZoneInfo(tz)
    for pattern in _ACCEPTED_FORMATS:
        try:
            naive = datetime.strptime(text.strip(), pattern)
        except ValueError:
            continue
        instant = naive.replace(tzinfo=zone)
        # A skipped wall time (01:30 on the spring change in London) comes back as a different wall time.
        if instant.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
            raise ValueError(f"{text.strip()} did not happen in {tz}: the clocks went forward. Enter a real time")
        return instant
    raise ValueError("Enter the time as YYYY-MM-DD HH:MM, for example 2026-11-30 09:45")


@dataclass(frozen=True)
class Clock:
    """A deadline as a person reads it: the words, and whether to flag it as overdue."""

    text: str
    overdue: bool = False


def response_clock(respond_by: datetime, met_at: datetime | None, now: datetime) -> Clock:
    if met_at is not None:
        return Clock("met on time" if met_at <= respond_by else "met late")
    return Clock(relative(respond_by, now), overdue=respond_by < now)


def update_clock(due: datetime | None, now: datetime) -> Clock:
    return Clock(relative(due, now), overdue=due is not None and due < now)


# The event codes messages are sent for, as a person says them.
EVENT_WORDS = {
    "incident.declared": "Incident declared",
    "incident.updated": "Update posted",
    "incident.priority_changed": "Priority changed",
    "incident.status_changed": "Status changed",
    "incident.role_changed": "Role given",
    "incident.type_changed": "Type changed",
    "incident.resolved": "Incident resolved",
    "incident.reopened": "Incident reopened",
    "incident.closed": "Incident closed",
    "breach.reminder": "ICO deadline reminder",
    "breach.escalation": "ICO deadline escalation",
}


def event_words(code: str) -> str:
    """'incident.role_changed' reads as 'Role given'; an unknown code still reads as words, not as a code."""
    if code in EVENT_WORDS:
        return EVENT_WORDS[code]
    words = code.rsplit(".", 1)[-1].replace("_", " ").strip()
    return words.capitalize() or code

"""An iCalendar (RFC 5545) invitation to a review, small enough to write by hand rather than add a dependency."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlparse

from django.conf import settings
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from watchkeeper.incidents.models import Incident
from watchkeeper.incidents.visibility import can_see
from watchkeeper.reviews.models import Review
from watchkeeper.reviews.scheduling import REVIEW_LENGTH


def _escape(text: str) -> str:
    """TEXT values (RFC 5545 §3.3.11): backslash, semicolon and comma escaped, newlines as \\n."""
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\n").replace("\n", "\\n")


def _param(text: str) -> str:
    """A parameter value is quoted, and may hold no double quote or control character."""
    return '"' + "".join(c for c in text if c != '"' and c.isprintable()) + '"'


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after CRLF and a space, never inside a character."""
    parts: list[str] = []
    current, size, limit = "", 0, 75
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            parts.append(current)
            current, size, limit = "", 0, 74  # continuation lines lose one octet to the leading space
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def _utc(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def invitees(review: Review) -> list[User]:
    """The invitees who may receive the invitation: active, with an address, and able to see the incident now."""
    people = review.invitees.filter(is_active=True).exclude(email="").order_by("username")
    return [person for person in people if can_see(person, review.incident)]


def _wording(incident: Incident, report_url: str) -> tuple[str, str]:
    """A calendar event is copied to calendars, phones and shared diaries: a restricted incident's says nothing
    but its reference and the link, behind which the reader still needs to be allowed to see it."""
    if incident.restricted:
        return (
            f"Incident review: {incident.reference}",
            f"Blameless review of {incident.reference}.\nDetails: {report_url}",
        )
    return (
        f"Incident review: {incident.reference} {incident.title}",
        f"Blameless review of {incident.reference}: {incident.title}.\n"
        f"Read the incident report before the meeting: {report_url}",
    )


def invitation(review: Review, method: str = "PUBLISH") -> str:
    """The review as one VEVENT. The UID stays the same so a new date updates, not duplicates, the event."""
    incident = review.incident
    if review.proposed_for is None:
        raise ValueError(f"The review of {incident.reference} has no date yet")
    host = urlparse(settings.SITE_URL).hostname or "watchkeeper"
    report_url = settings.SITE_URL + reverse("reviews:report", kwargs={"reference": incident.reference})
    summary, description = _wording(incident, report_url)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Watchkeeper//Incident review//EN",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
        "BEGIN:VEVENT",
        f"UID:review-{incident.reference}@{host}",
        f"DTSTAMP:{_utc(timezone.now())}",
        f"DTSTART:{_utc(review.proposed_for)}",
        f"DTEND:{_utc(review.proposed_for + REVIEW_LENGTH)}",
        f"SEQUENCE:{review.version}",
        f"SUMMARY:{_escape(summary)}",
        f"DESCRIPTION:{_escape(description)}",
        f"URL:{report_url}",
    ]
    if incident.incident_lead and incident.incident_lead.email:
        lead = incident.incident_lead
        lines.append(f"ORGANIZER;CN={_param(lead.get_username())}:mailto:{lead.email}")
    for person in invitees(review):
        lines.append(
            f"ATTENDEE;CN={_param(person.get_username())};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE"
            f":mailto:{person.email}"
        )
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(_fold(line) + "\r\n" for line in lines)

"""Shifts as an iCalendar feed: 13 months ahead, stable UIDs, transparent events, names only.

A calendar app polls the feed, so each shift keeps the same UID for as long as it is the same shift (schedule,
person, start), and events are TRANSPARENT so a week on call does not show the whole week as busy. Nothing in the
feed reaches anyone: no phone numbers, no email addresses.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from urllib.parse import urlparse

from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone
from icalendar import Calendar, Event

from watchkeeper.domain.office_time import BeyondKnownHolidays
from watchkeeper.domain.rota import Shift
from watchkeeper.oncall import queries
from watchkeeper.oncall.models import Schedule

AHEAD = timedelta(days=397)  # 13 months, whatever the months


def _display(username: str, names: dict[str, str]) -> str:
    return names.get(username) or username


def _uid(schedule: Schedule, shift: Shift) -> str:
    seed = f"{schedule.pk}|{shift.user}|{shift.start.isoformat()}"
    host = urlparse(settings.SITE_URL).hostname or "watchkeeper.local"
    return f"{hashlib.sha256(seed.encode()).hexdigest()[:32]}@{host}"


def _shifts(schedule: Schedule, since: datetime, until: datetime) -> list[Shift]:
    try:
        return queries.shifts(schedule, since, until)
    except BeyondKnownHolidays as error:
        # Office-hours layers cannot be worked out past the bank holiday list: stop where it stops.
        limit = datetime.combine(error.last_known, datetime.min.time(), since.tzinfo)
        return queries.shifts(schedule, since, limit) if limit > since else []


def feed(schedules: list[Schedule], name: str, only: str | None = None) -> bytes:
    now = timezone.now()
    since = now.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=1)
    calendar = Calendar()
    calendar.add("prodid", "-//Watchkeeper//On call//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    calendar.add("x-published-ttl", "PT1H")
    names = {u.username: u.get_full_name() for u in User.objects.all().only("username", "first_name", "last_name")}
    for schedule in schedules:
        for shift in _shifts(schedule, since, since + AHEAD):
            if shift.user is None or (only is not None and shift.user != only):
                continue
            event = Event()
            event.add("uid", _uid(schedule, shift))
            event.add("dtstamp", now)
            event.add("dtstart", shift.start)
            event.add("dtend", shift.end)
            event.add("summary", f"On call: {schedule.name} ({_display(shift.user, names)})")
            event.add("transp", "TRANSPARENT")
            event.add("categories", ["On call"])
            calendar.add_component(event)
    data: bytes = calendar.to_ical()
    return data

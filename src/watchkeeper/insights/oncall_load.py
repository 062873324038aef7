"""On-call load for insights: who was paged in the period, and how many of those pages came out of hours,
between 23:00 and 07:00, or on a bank holiday. Read-only over the on-call app's pages and notifications.

A person counts a page once however many messages (text, then email, then another round) it sent them, at the
first one that was sent; a notification that was cancelled, failed or never went out did not reach them. Each
page is judged on its incident's service calendar, or the default office calendar when it has no incident.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q, QuerySet

from watchkeeper.catalogue.holidays import default_calendar
from watchkeeper.catalogue.models import Service
from watchkeeper.catalogue.queries import calendar_for
from watchkeeper.domain.office_time import OfficeCalendar
from watchkeeper.domain.page_load import PageHours, page_hours
from watchkeeper.incidents.visibility import Person, visible_incidents
from watchkeeper.insights.queries import Scope
from watchkeeper.oncall.models import NotificationStatus, PageNotification


@dataclass(frozen=True)
class PersonPage:
    """One page as it reached one person: when they were first notified, and how that instant counts."""

    page_id: int
    username: str
    at: datetime
    hours: PageHours


def _notifications(user: Person, scope: Scope) -> QuerySet[PageNotification]:
    zone = ZoneInfo(settings.TIME_ZONE)
    begin = datetime.combine(scope.start, time(0), zone)
    end = datetime.combine(scope.end + timedelta(days=1), time(0), zone)
    found = PageNotification.objects.filter(
        user__isnull=False, status=NotificationStatus.SENT, sent_at__gte=begin, sent_at__lt=end
    )
    # A page without an incident is visible to everyone, as on its own page; one with an incident only with it.
    found = found.filter(Q(page__incident__isnull=True) | Q(page__incident__in=visible_incidents(user).values("id")))
    if not scope.include_exercises:
        found = found.filter(Q(page__incident__isnull=True) | Q(page__incident__exercise=False))
    if scope.priority:
        found = found.filter(page__incident__priority=scope.priority)
    if scope.service:
        found = found.filter(page__incident__service__slug=scope.service)
    if scope.team:
        found = found.filter(
            Q(page__incident__service__team__slug=scope.team)
            | Q(page__incident__isnull=True, page__policy__team__slug=scope.team)
        )
    return found


def person_pages(user: Person, scope: Scope) -> list[PersonPage]:
    """Each (page, person) pair in scope once, at the first sent notification, earliest first."""
    rows = _notifications(user, scope).order_by("sent_at", "id")
    fields = ("page_id", "user__username", "sent_at", "page__incident__service_id")
    calendars: dict[int | None, OfficeCalendar] = {}
    found: dict[tuple[int, str], PersonPage] = {}
    for page_id, username, sent_at, service_id in rows.values_list(*fields):
        if (page_id, username) in found:
            continue
        if service_id not in calendars:
            calendars[service_id] = (
                calendar_for(Service.objects.get(pk=service_id)) if service_id is not None else default_calendar()
            )
        found[(page_id, username)] = PersonPage(page_id, username, sent_at, page_hours(calendars[service_id], sent_at))
    return list(found.values())


def _tally(pages: list[PersonPage]) -> dict[str, int]:
    return {
        "pages": len(pages),
        "out_of_hours_pages": sum(p.hours.out_of_hours for p in pages),
        "night_pages": sum(p.hours.night for p in pages),
        "bank_holiday_pages": sum(p.hours.bank_holiday for p in pages),
    }


def load(pages: list[PersonPage]) -> dict[str, Any]:
    """Overall, each page once (at the first person it reached); by person, each page that reached them."""
    first: dict[int, PersonPage] = {}
    people: dict[str, list[PersonPage]] = {}
    for page in pages:
        first.setdefault(page.page_id, page)
        people.setdefault(page.username, []).append(page)
    overall = {**_tally(list(first.values())), "people_paged": len(people), "person_pages": len(pages)}
    return {"overall": overall, "by_person": {name: _tally(people[name]) for name in sorted(people)}}


def oncall_load(user: Person, scope: Scope) -> dict[str, Any]:
    return load(person_pages(user, scope))

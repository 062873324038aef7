"""Reads: schedules as the domain's rotations, who is on call, shifts and coverage, pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Prefetch, QuerySet

from watchkeeper.catalogue.holidays import default_calendar
from watchkeeper.catalogue.models import Service
from watchkeeper.catalogue.queries import calendar_for
from watchkeeper.domain import rota
from watchkeeper.domain.office_time import OfficeCalendar
from watchkeeper.oncall.models import CalendarToken, EscalationPolicy, Layer, LayerMember, Override, Page, Schedule


def schedules() -> QuerySet[Schedule]:
    """Schedules and their teams; who is on call and shifts read the rota themselves (see ``rules``)."""
    return Schedule.objects.select_related("team")


def live_calendar_token(user: User) -> str | None:
    """The person's calendar address token, if they have asked for one and not revoked it."""
    return CalendarToken.objects.filter(user=user, revoked_at__isnull=True).values_list("token", flat=True).first()


def schedules_with_layers() -> QuerySet[Schedule]:
    """Schedules with their layers and members, for the pages and API answers that describe them."""
    members = Prefetch("members", queryset=LayerMember.objects.select_related("user").order_by("position"))
    layers = Prefetch(
        "layers", queryset=Layer.objects.select_related("service").prefetch_related(members).order_by("position")
    )
    return Schedule.objects.select_related("team").prefetch_related(layers)


def policies() -> QuerySet[EscalationPolicy]:
    return EscalationPolicy.objects.select_related("team").prefetch_related(
        "steps__targets__schedule", "steps__targets__user", "steps__targets__channel"
    )


# The rota as one query: each member row carries its layer, so layers come out lowest first with their members.
_LAYER_COLUMNS = ("layer_id", "layer__name", "layer__turn", "layer__turn_length", "layer__start", "layer__restrict_to")


def rotations(schedule: Schedule) -> list[rota.Rotation]:
    """The schedule's layers as the domain's rotations; a layer with nobody in it has no say, so it is left out."""
    rows = (
        LayerMember.objects.filter(layer__schedule_id=schedule.pk)
        .order_by("layer__position", "position")
        .values_list(*_LAYER_COLUMNS, "layer__service_id", "user__username")
    )
    layers: dict[int, tuple[tuple[Any, ...], list[str]]] = {}
    for *layer, service_id, username in rows:
        layers.setdefault(layer[0], ((*layer, service_id), []))[1].append(username)
    return [_rotation(layer, tuple(members), schedule.time_zone) for layer, members in layers.values()]


def _rotation(layer: tuple[Any, ...], members: tuple[str, ...], time_zone: str) -> rota.Rotation:
    _, name, turn, turn_length, start, restrict_to, service_id = layer
    return rota.Rotation(
        name=name,
        members=members,
        turn=rota.Turn(turn),
        turn_length=turn_length,
        start=start,
        timezone=time_zone,
        restrict_to=rota.Restriction(restrict_to) if restrict_to else None,
        calendar=_calendar(service_id) if restrict_to else None,
    )


def _calendar(service_id: int | None) -> OfficeCalendar:
    if service_id is None:
        return default_calendar()
    return calendar_for(Service.objects.get(pk=service_id))


def rules(schedule: Schedule, since: datetime, until: datetime) -> tuple[list[rota.Rotation], list[rota.Override]]:
    """The rotations, and the overrides that overlap ``[since, until)`` in the order they were made."""
    found = (
        Override.objects.filter(schedule_id=schedule.pk, start__lt=until, end__gt=since)
        .order_by("created_at", "id")
        .values_list("start", "end", "user__username", "reason")
    )
    return rotations(schedule), [rota.Override(*row) for row in found]


def on_call(schedule: Schedule, at: datetime) -> rota.Shift:
    window = rota.MAX_REACH
    layers, overrides = rules(schedule, at - window, at + window)
    return rota.on_call_at(layers, overrides, at)


def on_call_user(schedule: Schedule, at: datetime) -> User | None:
    username = on_call(schedule, at).user
    return User.objects.filter(username=username, is_active=True).first() if username else None


def shifts(schedule: Schedule, since: datetime, until: datetime) -> list[rota.Shift]:
    layers, overrides = rules(schedule, since, until)
    return rota.schedule_shifts(layers, overrides, since, until)


def pages() -> QuerySet[Page]:
    return Page.objects.select_related("policy", "incident", "acknowledged_by", "created_by")

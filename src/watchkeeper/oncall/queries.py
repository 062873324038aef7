"""Reads: schedules as the domain's rotations, who is on call, shifts and coverage, pages."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import User
from django.db.models import Prefetch, QuerySet

from watchkeeper.catalogue.queries import calendar_for
from watchkeeper.domain import rota
from watchkeeper.holidays import default_calendar
from watchkeeper.oncall.models import EscalationPolicy, Layer, LayerMember, Override, Page, Schedule


def schedules() -> QuerySet[Schedule]:
    members = Prefetch("members", queryset=LayerMember.objects.select_related("user").order_by("position"))
    layers = Prefetch(
        "layers", queryset=Layer.objects.select_related("service").prefetch_related(members).order_by("position")
    )
    return Schedule.objects.select_related("team").prefetch_related(layers)


def policies() -> QuerySet[EscalationPolicy]:
    return EscalationPolicy.objects.select_related("team").prefetch_related(
        "steps__targets__schedule", "steps__targets__user", "steps__targets__channel"
    )


def rotation(layer: Layer, time_zone: str) -> rota.Rotation:
    return rota.Rotation(
        name=layer.name,
        members=tuple(member.user.get_username() for member in layer.members.all()),
        turn=rota.Turn(layer.turn),
        turn_length=layer.turn_length,
        start=layer.start,
        timezone=time_zone,
        restrict_to=rota.Restriction(layer.restrict_to) if layer.restrict_to else None,
        calendar=_calendar(layer) if layer.restrict_to else None,
    )


def _calendar(layer: Layer):  # type: ignore[no-untyped-def]

    return calendar_for(layer.service) if layer.service else default_calendar()


def rules(schedule: Schedule, since: datetime, until: datetime) -> tuple[list[rota.Rotation], list[rota.Override]]:
    layers = [rotation(layer, schedule.time_zone) for layer in schedule.layers.all() if layer.members.all()]
    found = Override.objects.filter(schedule=schedule, start__lt=until, end__gt=since).select_related("user")
    overrides = [rota.Override(o.start, o.end, o.user.get_username(), o.reason) for o in found.order_by("created_at")]
    return layers, overrides


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

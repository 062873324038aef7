"""Request and response shapes for schedules, escalation policies and pages (issue 13's contracts)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.urls import reverse
from ninja import Schema

from watchkeeper.oncall.models import EscalationPolicy, Page, PageNotification, Schedule, StepTarget


class LayerIn(Schema):
    name: str = ""
    members: list[str] = []
    turn: str = "weekly"
    turn_length: int = 1
    start: str | None = None
    restrict_to: str | None = None
    service: str | None = None


class ScheduleIn(Schema):
    slug: str
    name: str
    team: str
    time_zone: str = "Europe/London"
    layers: list[LayerIn]


class SchedulePatch(Schema):
    slug: str | None = None
    name: str | None = None
    team: str | None = None
    time_zone: str | None = None
    layers: list[LayerIn] | None = None


class OverrideIn(Schema):
    user: str
    start: str
    end: str
    reason: str = ""


class TargetIn(Schema):
    schedule: str | None = None
    user: str | None = None
    channel: int | str | None = None


class StepIn(Schema):
    ack_timeout_minutes: int = 5
    targets: list[TargetIn] = []


class PolicyIn(Schema):
    slug: str
    name: str
    team: str
    repeat: int = 0
    steps: list[StepIn]


class PolicyPatch(Schema):
    slug: str | None = None
    name: str | None = None
    team: str | None = None
    repeat: int | None = None
    steps: list[StepIn] | None = None


class PageIn(Schema):
    policy: str | None = None
    users: list[str] = []
    summary: str | None = None
    details: str = ""


def ical_url(schedule: Schedule) -> str:
    return f"{settings.SITE_URL}{reverse('oncall:calendar', kwargs={'token': schedule.ical_token})}"


def schedule_out(schedule: Schedule) -> dict[str, Any]:
    return {
        "slug": schedule.slug,
        "name": schedule.name,
        "team": schedule.team.slug,
        "time_zone": schedule.time_zone,
        "layers": [
            {
                "name": layer.name,
                "members": [m.user.get_username() for m in layer.members.all()],
                "turn": layer.turn,
                "turn_length": layer.turn_length,
                "start": layer.start.isoformat(),
                "restrict_to": layer.restrict_to or None,
                "service": layer.service.slug if layer.service else None,
            }
            for layer in schedule.layers.all()
        ],
        "ical_url": ical_url(schedule),
    }


def target_out(target: StepTarget) -> dict[str, Any]:
    if target.schedule is not None:
        return {"schedule": target.schedule.slug}
    if target.user is not None:
        return {"user": target.user.get_username()}
    return {"channel": target.channel_id}


def policy_out(policy: EscalationPolicy) -> dict[str, Any]:
    return {
        "slug": policy.slug,
        "name": policy.name,
        "team": policy.team.slug,
        "repeat": policy.repeat,
        "steps": [
            {"ack_timeout_minutes": step.ack_timeout_minutes, "targets": [target_out(t) for t in step.targets.all()]}
            for step in policy.steps.all()
        ],
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def notification_out(row: PageNotification) -> dict[str, Any]:
    return {
        "id": row.pk,
        "user": row.user.get_username() if row.user else None,
        "kind": row.kind,
        "recipient": row.recipient,
        "step": row.step_index + 1 if row.step_index >= 0 else None,
        "round": row.cycle + 1,
        "status": row.status,
        "attempts": row.attempts,
        "created_at": _iso(row.created_at),
        "due_at": _iso(row.due_at),
        "sent_at": _iso(row.sent_at),
        "finished_at": _iso(row.finished_at),
        "last_error": row.last_error,
    }


def page_out(page: Page) -> dict[str, Any]:
    return {
        "id": page.pk,
        "status": page.status,
        "summary": page.summary,
        "source": page.source,
        "policy": page.policy.slug if page.policy else None,
        "incident": page.incident.reference if page.incident else None,
        "step": page.step_index + 1 if page.step_index >= 0 else None,
        "round": page.cycle + 1,
        "triggered_at": _iso(page.triggered_at),
        "by": page.acknowledged_by.get_username() if page.acknowledged_by else None,
        "at": _iso(page.acknowledged_at),
        "acknowledged_via": page.acknowledged_via or None,
        "resolved_at": _iso(page.resolved_at),
        "notifications": [notification_out(n) for n in page.notifications.select_related("user")],
        "timeline": [{"at": _iso(e.at), "kind": e.kind, "text": e.text} for e in page.events.all()],
    }

"""Escalation policies and their steps, and each service's paging rule per priority."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import transaction

from watchkeeper.catalogue.models import Service, Team
from watchkeeper.domain.priority import Priority
from watchkeeper.notifications.models import Channel, Kind
from watchkeeper.oncall.models import EscalationPolicy, EscalationStep, PagingRule, Schedule, StepTarget
from watchkeeper.oncall.services.schedules import invalid, require_responder

WHEN = {"always", "office_hours", "never"}


def _target(prefix: str, data: Any, errors: dict[str, str]) -> dict[str, Any] | None:
    if not isinstance(data, dict) or len([k for k in ("schedule", "user", "channel") if data.get(k)]) != 1:
        errors[prefix] = 'each target names exactly one of {"schedule": slug}, {"user": username}, {"channel": id}'
        return None
    if data.get("schedule"):
        found = Schedule.objects.filter(slug=data["schedule"]).first()
        if found is None:
            errors[f"{prefix}.schedule"] = f"unknown schedule {data['schedule']!r}"
        return {"schedule": found}
    if data.get("user"):
        user = User.objects.filter(username=data["user"], is_active=True).first()
        if user is None:
            errors[f"{prefix}.user"] = f"unknown user {data['user']!r}"
        return {"user": user}
    channel = Channel.objects.filter(pk=data["channel"]).first() if str(data["channel"]).isdigit() else None
    if channel is None:
        errors[f"{prefix}.channel"] = f"unknown channel {data['channel']!r}"
    elif channel.kind == Kind.ONCALL:
        # A page follows the rota step by step itself; the channel is for incident messages.
        schedule = f'{{"schedule": "{channel.target}"}}'
        errors[f"{prefix}.channel"] = f"{channel.name} stands for a schedule: name it as {schedule}"
    return {"channel": channel}


def _steps(raw: Any, errors: dict[str, str]) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not raw:
        errors["steps"] = "a policy needs at least one step"
        return []
    steps = []
    for number, step in enumerate(raw):
        prefix = f"steps.{number}"
        step = dict(step)
        timeout = step.get("ack_timeout_minutes", 5)
        if not isinstance(timeout, int) or isinstance(timeout, bool) or timeout < 1:
            errors[f"{prefix}.ack_timeout_minutes"] = "ack_timeout_minutes must be a whole number, at least 1"
        targets = step.get("targets") or []
        if not targets:
            errors[f"{prefix}.targets"] = "a step needs at least one target"
        found = [_target(f"{prefix}.targets.{n}", t, errors) for n, t in enumerate(targets)]
        steps.append({"ack_timeout_minutes": timeout, "targets": [t for t in found if t]})
    return steps


def _check(
    fields: dict[str, Any], policy: EscalationPolicy | None
) -> tuple[dict[str, Any], list[dict[str, Any]] | None]:
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    if policy is None or "slug" in fields:
        slug = str(fields.get("slug") or "").strip()
        if not slug or not slug.replace("-", "").replace("_", "").isalnum():
            errors["slug"] = "give a slug: letters, numbers and hyphens"
        elif EscalationPolicy.objects.filter(slug=slug).exclude(pk=policy.pk if policy else 0).exists():
            errors["slug"] = f"a policy called {slug!r} already exists"
        clean["slug"] = slug
    if policy is None or "name" in fields:
        clean["name"] = str(fields.get("name") or "").strip()
        if not clean["name"]:
            errors["name"] = "give the policy a name"
    if policy is None or "team" in fields:
        clean["team"] = Team.objects.filter(slug=fields.get("team") or "").first()
        if clean["team"] is None:
            errors["team"] = f"unknown team {fields.get('team')!r}"
    if policy is None or "repeat" in fields:
        repeat = fields.get("repeat", 0)
        if not isinstance(repeat, int) or isinstance(repeat, bool) or not 0 <= repeat <= 9:
            errors["repeat"] = "repeat must be a whole number from 0 to 9"
        clean["repeat"] = repeat
    steps = _steps(fields.get("steps"), errors) if policy is None or "steps" in fields else None
    if errors:
        raise invalid(errors)
    return clean, steps


def _save_steps(policy: EscalationPolicy, steps: list[dict[str, Any]]) -> None:
    policy.steps.all().delete()
    for position, data in enumerate(steps):
        step = EscalationStep.objects.create(
            policy=policy, position=position, ack_timeout_minutes=data["ack_timeout_minutes"]
        )
        StepTarget.objects.bulk_create(StepTarget(step=step, position=n, **t) for n, t in enumerate(data["targets"]))


@transaction.atomic
def create_policy(actor: User | AnonymousUser, **fields: Any) -> EscalationPolicy:
    require_responder(actor)
    clean, steps = _check(fields, None)
    policy = EscalationPolicy.objects.create(**clean)
    _save_steps(policy, steps or [])
    return policy


@transaction.atomic
def update_policy(actor: User | AnonymousUser, policy: EscalationPolicy, **fields: Any) -> EscalationPolicy:
    require_responder(actor)
    policy = EscalationPolicy.objects.select_for_update().get(pk=policy.pk)
    clean, steps = _check(fields, policy)
    for name, value in clean.items():
        setattr(policy, name, value)
    policy.save()
    if steps is not None:
        _save_steps(policy, steps)
    return policy


@transaction.atomic
def delete_policy(actor: User | AnonymousUser, policy: EscalationPolicy) -> None:
    require_responder(actor)
    policy.delete()


@transaction.atomic
def set_paging_rule(
    actor: User | AnonymousUser, service: Service, priority: str, *, policy: EscalationPolicy | None, when: str
) -> PagingRule:
    require_responder(actor)
    try:
        level = Priority.parse(priority)
    except ValueError as error:
        raise ValidationError({"priority": str(error)}) from None
    if when not in WHEN:
        raise ValidationError({"when": "Use always, office_hours or never"})
    if when != "never" and policy is None:
        raise ValidationError({"policy": "Choose the policy to page"})
    rule, _ = PagingRule.objects.update_or_create(
        service=service, priority=level.value, defaults={"policy": policy, "when": when}
    )
    return rule

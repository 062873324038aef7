"""Schedules, their layers, overrides and swaps: validated whole, saved whole, or not at all."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from watchkeeper.accounts.roles import can_act
from watchkeeper.catalogue.models import Service, Team
from watchkeeper.domain import rota
from watchkeeper.oncall.models import CalendarToken, Layer, LayerMember, Override, Schedule, StepTarget, Swap, new_token
from watchkeeper.oncall.services import coverage

TURNS = {t.value for t in rota.Turn}
RESTRICTIONS = {r.value for r in rota.Restriction}


def invalid(errors: dict[str, str]) -> ValidationError:
    """Every message starts with a capital, as GOV.UK error messages do, in forms and the API alike."""
    return ValidationError({field: message[:1].upper() + message[1:] for field, message in errors.items()})


def require_responder(actor: User | AnonymousUser) -> None:
    if not can_act(actor):
        raise PermissionDenied("Only responders and admins can change on-call schedules and policies")


def _users(names: list[Any], field: str, errors: dict[str, str]) -> list[User]:
    found = {u.username: u for u in User.objects.filter(username__in=[str(n) for n in names], is_active=True)}
    missing = [str(n) for n in names if str(n) not in found]
    if missing:
        errors[field] = f"unknown user(s): {', '.join(missing)}"
    return [found[str(n)] for n in names if str(n) in found]


def _aware(value: Any, field: str, errors: dict[str, str]) -> datetime | None:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            errors[field] = f"{value!r} is not an ISO 8601 date and time"
            return None
    if not isinstance(value, datetime) or value.tzinfo is None:
        errors[field] = "give a date and time with a UTC offset, such as 2026-10-19T09:00:00+01:00"
        return None
    return value


def _layer(number: int, data: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    prefix = f"layers.{number}"
    members = data.get("members") or []
    if not members:
        errors[f"{prefix}.members"] = "a rotation needs at least one member"
    users = _users(list(members), f"{prefix}.members", errors)
    turn = data.get("turn", "weekly")
    if turn not in TURNS:
        errors[f"{prefix}.turn"] = "use hourly, daily or weekly"
    length = data.get("turn_length", 1)
    if not isinstance(length, int) or isinstance(length, bool) or length < 1:
        errors[f"{prefix}.turn_length"] = "turn_length must be a whole number, at least 1"
    start = _aware(data.get("start"), f"{prefix}.start", errors)
    restrict = data.get("restrict_to") or ""
    if restrict and restrict not in RESTRICTIONS:
        errors[f"{prefix}.restrict_to"] = "use null, office_hours or out_of_hours"
    service = None
    if data.get("service"):
        service = Service.objects.filter(slug=data["service"]).first()
        if service is None:
            errors[f"{prefix}.service"] = f"unknown service {data['service']!r}"
    name = str(data.get("name") or f"Layer {number + 1}").strip()[:100]
    return {
        "name": name,
        "users": users,
        "turn": turn,
        "turn_length": length,
        "start": start,
        "restrict_to": restrict,
        "service": service,
    }


def _check(fields: dict[str, Any], schedule: Schedule | None) -> tuple[dict[str, Any], list[dict[str, Any]] | None]:
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    if schedule is None or "slug" in fields:
        slug = str(fields.get("slug") or "").strip()
        if not slug or not slug.replace("-", "").replace("_", "").isalnum():
            errors["slug"] = "give a slug: letters, numbers and hyphens"
        elif Schedule.objects.filter(slug=slug).exclude(pk=schedule.pk if schedule else 0).exists():
            errors["slug"] = f"a schedule called {slug!r} already exists"
        clean["slug"] = slug
    if schedule is None or "name" in fields:
        clean["name"] = str(fields.get("name") or "").strip()
        if not clean["name"]:
            errors["name"] = "give the schedule a name"
    if schedule is None or "team" in fields:
        clean["team"] = Team.objects.filter(slug=fields.get("team") or "").first()
        if clean["team"] is None:
            errors["team"] = f"unknown team {fields.get('team')!r}"
    if schedule is None or "time_zone" in fields:
        clean["time_zone"] = fields.get("time_zone") or "Europe/London"
        try:
            rota.zone(clean["time_zone"])
        except ValueError as error:
            errors["time_zone"] = str(error)
    layers = None
    if schedule is None or "layers" in fields:
        raw = fields.get("layers") or []
        if not raw:
            errors["layers"] = "a schedule needs at least one layer"
        layers = [_layer(n, dict(layer), errors) for n, layer in enumerate(raw)]
    if errors:
        raise invalid(errors)
    return clean, layers


def _save_layers(schedule: Schedule, layers: list[dict[str, Any]]) -> None:
    schedule.layers.all().delete()
    for position, data in enumerate(layers):
        users = data.pop("users")
        layer = Layer.objects.create(schedule=schedule, position=position, **data)
        LayerMember.objects.bulk_create(LayerMember(layer=layer, user=user, position=n) for n, user in enumerate(users))


@transaction.atomic
def create_schedule(actor: User | AnonymousUser, **fields: Any) -> Schedule:
    require_responder(actor)
    clean, layers = _check(fields, None)
    schedule = Schedule.objects.create(**clean)
    _save_layers(schedule, layers or [])
    coverage.schedule_next()  # the nightly gap check starts with the first schedule and then queues itself
    return schedule


@transaction.atomic
def update_schedule(actor: User | AnonymousUser, schedule: Schedule, **fields: Any) -> Schedule:
    require_responder(actor)
    schedule = Schedule.objects.select_for_update().get(pk=schedule.pk)
    clean, layers = _check(fields, schedule)
    for name, value in clean.items():
        setattr(schedule, name, value)
    schedule.save()
    if layers is not None:
        _save_layers(schedule, layers)
    return schedule


@transaction.atomic
def delete_schedule(actor: User | AnonymousUser, schedule: Schedule) -> None:
    require_responder(actor)
    if StepTarget.objects.filter(schedule=schedule).exists():
        raise ValidationError({"slug": "An escalation policy still pages this schedule: change the policy first"})
    schedule.delete()


def _span(start: Any, end: Any, errors: dict[str, str]) -> tuple[datetime | None, datetime | None]:
    begin, finish = _aware(start, "start", errors), _aware(end, "end", errors)
    if begin and finish and finish <= begin:
        errors["end"] = "the end must be after the start"
    return begin, finish


@transaction.atomic
def add_override(
    actor: User | AnonymousUser, schedule: Schedule, *, user: str, start: Any, end: Any, reason: str = ""
) -> Override:
    require_responder(actor)
    errors: dict[str, str] = {}
    users = _users([user], "user", errors) if user else []
    if not user:
        errors["user"] = "say who covers the shift"
    begin, finish = _span(start, end, errors)
    if errors or begin is None or finish is None:
        raise invalid(errors)
    return Override.objects.create(
        schedule=schedule,
        user=users[0],
        start=begin,
        end=finish,
        reason=reason.strip()[:300],
        created_by=actor if isinstance(actor, User) else None,
    )


@transaction.atomic
def delete_override(actor: User | AnonymousUser, override: Override) -> None:
    require_responder(actor)
    override.delete()


@transaction.atomic
def offer_swap(actor: User, schedule: Schedule, *, start: Any, end: Any, note: str = "") -> Swap:
    require_responder(actor)
    errors: dict[str, str] = {}
    begin, finish = _span(start, end, errors)
    if errors or begin is None or finish is None:
        raise invalid(errors)
    return Swap.objects.create(schedule=schedule, offered_by=actor, start=begin, end=finish, note=note.strip()[:300])


@transaction.atomic
def take_swap(actor: User, swap: Swap) -> Swap:
    """Taking an offered shift makes an override for the taker; both names stay on the record."""
    require_responder(actor)
    swap = Swap.objects.select_for_update().get(pk=swap.pk)
    if swap.taken_by_id is not None or swap.withdrawn_at is not None:
        raise ValidationError({"swap": "This shift has already been taken or withdrawn"})
    if swap.offered_by_id == actor.pk:
        raise ValidationError({"swap": "You offered this shift: someone else must take it"})
    reason = f"Swap: {actor.get_username()} covers for {swap.offered_by.get_username()}"
    if swap.note:
        reason += f" ({swap.note})"
    swap.override = Override.objects.create(
        schedule=swap.schedule, user=actor, start=swap.start, end=swap.end, reason=reason[:300], created_by=actor
    )
    swap.taken_by = actor
    swap.taken_at = timezone.now()
    swap.save(update_fields=["override", "taken_by", "taken_at"])
    return swap


@transaction.atomic
def withdraw_swap(actor: User, swap: Swap) -> Swap:
    swap = Swap.objects.select_for_update().get(pk=swap.pk)
    if swap.offered_by_id != actor.pk or swap.taken_by_id is not None:
        raise ValidationError({"swap": "Only the person who offered an untaken shift can withdraw it"})
    swap.withdrawn_at = timezone.now()
    swap.save(update_fields=["withdrawn_at"])
    return swap


@transaction.atomic
def calendar_token(user: User) -> CalendarToken:
    """The person's live calendar address, made on first use."""
    found = CalendarToken.objects.filter(user=user, revoked_at__isnull=True).first()
    return found or CalendarToken.objects.create(user=user)


@transaction.atomic
def revoke_calendar(user: User) -> CalendarToken:
    """Revokes the person's calendar address and gives them a new one; old subscriptions stop at once."""
    CalendarToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    return CalendarToken.objects.create(user=user)


@transaction.atomic
def revoke_schedule_calendar(actor: User | AnonymousUser, schedule: Schedule) -> Schedule:
    require_responder(actor)
    schedule.ical_token = new_token()
    schedule.save(update_fields=["ical_token"])
    return schedule

"""Who is on call, schedules with overrides and swaps, policy editing and "Page someone"; all through services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages as flash
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from watchkeeper.accounts.roles import can_act
from watchkeeper.api.oncall_schemas import target_out
from watchkeeper.catalogue.models import Team
from watchkeeper.domain.rota import coverage_pct
from watchkeeper.incidents.queries import get_incident
from watchkeeper.oncall import queries, services
from watchkeeper.oncall.forms import LayerFormSet, OverrideForm, PageForm, PolicyForm, ScheduleForm, SwapForm
from watchkeeper.oncall.models import Schedule, Swap
from watchkeeper.web.govuk_forms import apply_service, put_errors, set_time_zone

AHEAD = timedelta(days=14)


def _me(request: HttpRequest) -> User:
    if not isinstance(request.user, User) or not can_act(request.user):
        raise PermissionDenied("Only responders can change on-call schedules")
    return request.user


def home(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    teams = []
    for team in Team.objects.all():
        rows = []
        for schedule in queries.schedules().filter(team=team):
            shifts = queries.shifts(schedule, now, now + AHEAD)
            current = shifts[0] if shifts else None
            rows.append(
                {
                    "schedule": schedule,
                    "now": current,
                    "shifts": shifts,
                    "coverage": coverage_pct(shifts),
                    "gaps": [s for s in shifts if s.user is None],
                }
            )
        if rows:
            teams.append({"team": team, "schedules": rows})
    token = services.calendar_token(request.user) if isinstance(request.user, User) else None
    return render(request, "oncall/home.html", {"teams": teams, "token": token, "active_nav": "oncall"})


def schedule_detail(request: HttpRequest, slug: str) -> HttpResponse:
    schedule = get_object_or_404(queries.schedules_with_layers(), slug=slug)
    override_form = OverrideForm(prefix="override")
    swap_form = SwapForm(prefix="swap")
    for form in (override_form, swap_form):
        set_time_zone(form, schedule.time_zone)
    if request.method == "POST":
        actor = _me(request)
        if "override-user" in request.POST:
            override_form = OverrideForm(request.POST, prefix="override")
            set_time_zone(override_form, schedule.time_zone)
            if override_form.is_valid() and apply_service(
                override_form, lambda: services.add_override(actor, schedule, **override_form.cleaned_data)
            ):
                flash.success(request, "Override added")
                return redirect("oncall:schedule", slug=slug)
        else:
            swap_form = SwapForm(request.POST, prefix="swap")
            set_time_zone(swap_form, schedule.time_zone)
            if swap_form.is_valid() and apply_service(
                swap_form, lambda: services.offer_swap(actor, schedule, **swap_form.cleaned_data)
            ):
                flash.success(request, "Shift offered: anyone on the rota can take it")
                return redirect("oncall:schedule", slug=slug)
    now = timezone.now()
    shifts = queries.shifts(schedule, now, now + AHEAD)
    form = override_form if override_form.errors else swap_form
    return render(
        request,
        "oncall/schedule.html",
        {
            "schedule": schedule,
            "shifts": shifts,
            "coverage": coverage_pct(shifts),
            "overrides": schedule.overrides.filter(end__gt=now).select_related("user", "created_by"),
            "swaps": schedule.swaps.filter(end__gt=now, withdrawn_at__isnull=True).select_related(
                "offered_by", "taken_by"
            ),
            "override_form": override_form,
            "swap_form": swap_form,
            "form": form,
            "active_nav": "oncall",
        },
    )


@require_POST
def swap_action(request: HttpRequest, swap_id: int, action: str) -> HttpResponse:
    actor = _me(request)
    swap = get_object_or_404(Swap.objects.select_related("schedule", "offered_by"), pk=swap_id)
    act: Callable[[], Any] = (
        (lambda: services.take_swap(actor, swap)) if action == "take" else (lambda: services.withdraw_swap(actor, swap))
    )
    try:
        act()
    except Exception as error:  # a ValidationError from the service, shown beside the schedule
        flash.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        flash.success(request, "Shift taken: it is now an override" if action == "take" else "Offer withdrawn")
    return redirect("oncall:schedule", slug=swap.schedule.slug)


def _names(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


LAYER_FIELDS = ("name", "members", "turn", "turn_length", "start", "restrict_to", "service")


def _layers_initial(schedule: Schedule) -> list[dict[str, Any]]:
    zone = ZoneInfo(schedule.time_zone)
    return [
        {
            "name": layer.name,
            "members": ", ".join(m.user.username for m in layer.members.all()),
            "turn": layer.turn,
            "turn_length": layer.turn_length,
            "start": timezone.localtime(layer.start, timezone=zone).strftime("%Y-%m-%d %H:%M"),
            "restrict_to": layer.restrict_to,
            "service": layer.service.slug if layer.service else "",
            "ORDER": position + 1,
        }
        for position, layer in enumerate(schedule.layers.all())
    ]


def _with_another_layer(data: Any) -> list[dict[str, Any]]:
    """The layers as typed so far and a blank one, shown again unchecked: adding a layer is not saving."""
    total = int(data.get("layers-TOTAL_FORMS") or 0)
    typed = [{name: data.get(f"layers-{n}-{name}", "") for name in (*LAYER_FIELDS, "ORDER")} for n in range(total)]
    kept = [layer for n, layer in enumerate(typed) if not data.get(f"layers-{n}-DELETE")]
    return [*kept, {"name": "", "turn_length": 1, "ORDER": len(kept) + 1}]


def schedule_edit(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """The schedule and every layer on one page: add, remove and reorder layers, saved whole or not at all."""
    actor = _me(request)
    schedule = get_object_or_404(queries.schedules_with_layers(), slug=slug) if slug else None
    initial: dict[str, Any] = {}
    layers_initial: list[dict[str, Any]] = [{"name": "Primary", "turn_length": 1, "ORDER": 1}]
    if schedule is not None:
        initial = {"name": schedule.name, "slug": schedule.slug, "team": schedule.team.slug}
        initial["time_zone"] = schedule.time_zone
        layers_initial = _layers_initial(schedule)
    if request.method == "POST" and "add_layer" in request.POST:
        form = ScheduleForm(initial={name: request.POST.get(name, "") for name in ScheduleForm.base_fields})
        layers = LayerFormSet(initial=_with_another_layer(request.POST), prefix="layers")
    else:
        form = ScheduleForm(request.POST or None, initial=initial)
        layers = LayerFormSet(request.POST or None, initial=layers_initial, prefix="layers")
    tz = request.POST.get("time_zone") or initial.get("time_zone") or "Europe/London"
    for each in (form, *layers.forms):
        set_time_zone(each, tz)
    if form.is_bound and form.is_valid() and layers.is_valid():
        data = form.cleaned_data
        ordered = layers.ordered_forms
        fields = {
            "name": data["name"],
            "slug": data["slug"],
            "team": data["team"],
            "time_zone": data["time_zone"],
            "layers": [
                {
                    **{name: layer.cleaned_data[name] for name in ("name", "turn", "turn_length", "start")},
                    "members": _names(layer.cleaned_data["members"]),
                    "restrict_to": layer.cleaned_data["restrict_to"] or None,
                    "service": layer.cleaned_data["service"] or None,
                }
                for layer in ordered
            ],
        }
        save = (
            (lambda: services.update_schedule(actor, schedule, **fields))
            if schedule
            else (lambda: services.create_schedule(actor, **fields))
        )
        if _apply_schedule(form, ordered, save):
            flash.success(request, "Schedule saved")
            return redirect("oncall:schedule", slug=data["slug"])
    return render(
        request,
        "oncall/schedule_form.html",
        {"form": form, "layers": layers, "error_forms": layers.forms, "schedule": schedule, "active_nav": "oncall"},
    )


def _apply_schedule(form: forms.Form, layers: list[forms.Form], save: Callable[[], object]) -> bool:
    """Runs the service; its "layers.N.field" refusals land on layer N as saved (after reordering)."""
    try:
        save()
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            put_errors(form, error)
            return False
        for name, errors in error.message_dict.items():
            prefix, _, rest = name.partition(".")
            number, _, field = rest.partition(".")
            if prefix == "layers" and number.isdigit() and int(number) < len(layers):
                target = layers[int(number)]
                target.add_error(field if field in target.fields else None, errors)
            else:
                form.add_error(name if name in form.fields else None, errors)
        return False
    except PermissionDenied as error:
        form.add_error(None, str(error))
        return False
    return True


def _step_field(name: str) -> str:
    return "steps" if name.startswith("steps") else name


def policies(request: HttpRequest) -> HttpResponse:
    return render(request, "oncall/policies.html", {"policies": queries.policies(), "active_nav": "oncall"})


def _steps(text: str) -> list[dict[str, Any]]:
    steps = []
    for line in text.splitlines():
        words = line.split()
        if not words:
            continue
        minutes = int(words[0]) if words[0].lstrip("-").isdigit() else words[0]
        targets = []
        for word in words[1:]:
            kind, _, value = word.partition(":")
            targets.append({kind: value})
        steps.append({"ack_timeout_minutes": minutes, "targets": targets})
    return steps


def policy_edit(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    actor = _me(request)
    policy = get_object_or_404(queries.policies(), slug=slug) if slug else None
    initial: dict[str, Any] = {}
    if policy is not None:
        lines = [
            " ".join(
                [str(s.ack_timeout_minutes)]
                + [":".join(map(str, next(iter(target_out(t).items())))) for t in s.targets.all()]
            )
            for s in policy.steps.all()
        ]
        initial = {
            "name": policy.name,
            "slug": policy.slug,
            "team": policy.team.slug,
            "repeat": policy.repeat,
            "steps": "\n".join(lines),
        }
    form = PolicyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data, "steps": _steps(form.cleaned_data["steps"])}
        save = (
            (lambda: services.update_policy(actor, policy, **data))
            if policy
            else (lambda: services.create_policy(actor, **data))
        )
        if apply_service(form, save, _step_field):
            flash.success(request, "Escalation policy saved")
            return redirect("oncall:policies")
    return render(request, "oncall/policy_form.html", {"form": form, "policy": policy, "active_nav": "oncall"})


def page_new(request: HttpRequest) -> HttpResponse:
    actor = _me(request)
    reference = request.GET.get("incident") or request.POST.get("incident") or ""
    incident = get_incident(actor, reference) if reference else None
    initial = {"summary": f"{incident.reference} ({incident.priority}): {incident.title}"} if incident else {}
    form = PageForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        users = list(User.objects.filter(username__in=_names(data["users"]), is_active=True))
        missing = sorted(set(_names(data["users"])) - {u.username for u in users})
        if missing:
            form.add_error("users", f"Unknown user(s): {', '.join(missing)}")
        else:
            created: list[Any] = []
            ok = apply_service(
                form,
                lambda: created.append(
                    services.trigger_page(
                        summary=data["summary"],
                        policy=data["policy"],
                        users=users,
                        incident=incident,
                        details=data["details"],
                        source="web",
                        actor=actor,
                    )
                ),
            )
            if ok:
                flash.success(request, "Paged")
                return redirect("oncall:page", page_id=created[0].pk)
    return render(request, "oncall/page_form.html", {"form": form, "incident": incident, "active_nav": "oncall"})

"""Running a page through its policy: notify a step's targets, wait, go on; skip a step with nobody to reach.

Each wait is a deferred task (``run_after``) stored in the database, so it survives worker restarts. The task
locks the page row and checks, at fire time, that the page is still triggered and still at that step: a late
or duplicate timer, or one racing an acknowledgement, does nothing. Each step also gets a second timer a grace
period later, so a worker killed while running the first one delays the step by at most that period.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from watchkeeper.incidents import events
from watchkeeper.notifications.models import Channel
from watchkeeper.oncall import messages, queries
from watchkeeper.oncall.models import EscalationStep, Page, PageEvent, PageNotification, PageStatus
from watchkeeper.oncall.services import sending

DIRECT = -1  # the step index of people paged by name rather than through a policy


def record(page: Page, kind: str, text: str, **data: object) -> PageEvent:
    return PageEvent.objects.create(page=page, at=timezone.now(), kind=kind, text=text[:500], data=data)


def _key(page: Page, step: int, cycle: int, what: str) -> str:
    digest = hashlib.sha256(f"page|{page.pk}|{step}|{cycle}|{what}".encode()).hexdigest()
    return f"pg_{digest[:40]}"


def _queue(page: Page, user: User | None, *, kind: str, recipient: str, due: datetime, **extra: object) -> None:
    what = f"{kind}|{recipient}|{extra.get('contact') or extra.get('channel') or ''}"
    contact = extra.get("contact")
    channel = extra.get("channel")
    row, new = PageNotification.objects.get_or_create(
        key=_key(page, page.step_index, page.cycle, what),
        defaults={
            "page": page,
            "user": user,
            "contact": contact,
            "channel": channel,
            "step_index": page.step_index,
            "cycle": page.cycle,
            "kind": sending.TRANSPORT_KINDS.get(kind, kind),
            "recipient": recipient,
            "payload": messages.payload(page, kind, user.pk if user else None),
            "created_at": timezone.now(),
            "due_at": due,
        },
    )
    if new:
        sending.enqueue(row.pk, 1, due if due > timezone.now() else None)


def notify_person(page: Page, user: User, now: datetime) -> None:
    """Every contact method the person has, in their order, each after its own delay; email if they have none."""
    methods = list(user.contact_methods.all())  # type: ignore[attr-defined]
    if not methods:
        _queue(page, user, kind="email", recipient=user.email or user.get_username(), due=now)
        return
    for method in methods:
        due = now + timedelta(minutes=method.delay_minutes)
        _queue(page, user, kind=method.kind, recipient=method.address, due=due, contact=method)


def notify_channel(page: Page, channel: Channel, now: datetime) -> None:
    _queue(page, None, kind=channel.kind, recipient=channel.target, due=now, channel=channel)


def _notify_step(page: Page, step: EscalationStep, now: datetime) -> int:
    """Notifies the step's targets; how many were reached (a schedule with nobody on call reaches no one)."""
    reached: set[str] = set()
    for target in step.targets.all():
        if target.schedule_id is not None:
            assert target.schedule is not None
            schedule = queries.schedules().get(pk=target.schedule_id)
            person = queries.on_call_user(schedule, now)
            if person is None:
                record(page, "skipped", f"Nobody is on call on {schedule.name}", schedule=schedule.slug)
                continue
            users: Iterable[User] = [person]
        elif target.user_id is not None:
            assert target.user is not None
            users = [target.user]
        else:
            assert target.channel is not None
            notify_channel(page, target.channel, now)
            reached.add(f"channel:{target.channel_id}")
            continue
        for user in users:
            if f"user:{user.pk}" not in reached:
                notify_person(page, user, now)
                reached.add(f"user:{user.pk}")
    return len(reached)


def _timers(page: Page, due: datetime) -> None:
    grace = timedelta(seconds=float(str(settings.ONCALL["TIMER_GRACE_SECONDS"])))
    for at in (due, due + grace):
        events.enqueue("oncall.escalate", page.pk, page.step_index, page.cycle, run_after=at)


def run_step(page: Page, now: datetime) -> None:
    """From the page's current position, notifies the first step that reaches someone and sets its timer."""
    assert page.policy is not None
    steps = list(page.policy.steps.prefetch_related("targets__schedule", "targets__user", "targets__channel"))
    while True:
        if page.step_index >= len(steps):
            if page.cycle >= page.policy.repeat or not steps:
                page.save(update_fields=["step_index", "cycle"])
                record(page, "exhausted", "Every step has been tried; nobody has acknowledged")
                return
            page.cycle += 1
            page.step_index = 0
            record(page, "repeat", f"Starting the policy again (round {page.cycle + 1})")
        step = steps[page.step_index]
        record(page, "step", f"Step {page.step_index + 1} of {len(steps)}", step=page.step_index, cycle=page.cycle)
        if _notify_step(page, step, now):
            page.save(update_fields=["step_index", "cycle"])
            _timers(page, now + timedelta(minutes=step.ack_timeout_minutes))
            return
        record(page, "skipped", f"Step {page.step_index + 1} skipped: it reached nobody", step=page.step_index)
        page.step_index += 1


def notify(page: Page, users: list[User], triggered_at: datetime) -> None:
    """The people paged by name, then the policy's first step that reaches someone, timed from the trigger."""
    if users:
        saved_index = page.step_index
        page.step_index = DIRECT
        for user in users:
            notify_person(page, user, triggered_at)
        page.step_index = saved_index
    if page.policy is not None:
        run_step(page, triggered_at)


def notify_later(page: Page) -> None:
    events.enqueue("oncall.start_page", page.pk)


def start(page_id: int) -> None:
    """The deferred notifying of a page made with notify_later. Contact delays and the first step's timeout count
    from the trigger, not from when a worker got to it, so a busy queue never stretches the escalation; a page
    acknowledged or resolved meanwhile notifies nobody, and a task run twice notifies once."""
    with transaction.atomic():
        page = Page.objects.select_for_update(of=("self",)).select_related("policy").filter(pk=page_id).first()
        if page is None or page.status != PageStatus.TRIGGERED or page.events.filter(kind="started").exists():
            return
        late = (timezone.now() - page.triggered_at).total_seconds()
        record(page, "started", f"Notifying began {late:.1f} s after the trigger", seconds=round(late, 3))
        notify(page, list(page.users.all()), page.triggered_at)


def fire(page_id: int, step_index: int, cycle: int) -> None:
    """A step's wait is over: unless the page was acknowledged or moved on, escalate to the next step."""
    with transaction.atomic():
        page = (
            Page.objects.select_for_update(of=("self",)).select_related("policy", "incident").filter(pk=page_id).first()
        )
        if page is None or page.status != PageStatus.TRIGGERED or page.policy is None:
            return
        if (page.step_index, page.cycle) != (step_index, cycle):
            return
        record(page, "escalated", f"Not acknowledged within step {step_index + 1}'s time: escalating")
        page.step_index += 1
        run_step(page, timezone.now())

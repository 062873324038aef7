"""Escalation contacts (or any route's channel) as a schedule: whoever is on call at the instant a message is routed.

A notification channel of kind "oncall" names a schedule by its short name. When an incident message is routed to
it, the person on call then gets it by each of their working contact methods that reach them at once (text message
only where the channel has a Notify template; never a voice call, which is for pages). With no contact method it
goes to their email address. With nobody on call the channel is left as it is, and its delivery fails visibly.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import User

from watchkeeper.notifications.routing import Target
from watchkeeper.oncall import queries
from watchkeeper.oncall.models import Schedule

# Contact method kinds and the notification transport each goes through; a voice call is for pages alone.
NOTICE_KINDS = {"email": "email", "slack": "slack", "sms": "notify_sms"}


def check(slug: str) -> str | None:
    if not Schedule.objects.filter(slug=slug.strip()).exists():
        return f"There is no on-call schedule with the short name {slug!r}"
    return None


def person_targets(user: User, target: Target) -> list[Target]:
    found = []
    can_text = bool(target.channel and target.channel.template_id)
    for method in user.contact_methods.filter(working=True, delay_minutes=0):  # type: ignore[attr-defined]
        kind = NOTICE_KINDS.get(method.kind)
        if kind is None or (kind == "notify_sms" and not can_text):
            continue
        found.append(Target(target.channel, kind, method.address, target.audience))
    if found:
        return found
    if user.email:
        return [Target(target.channel, "email", user.email, target.audience)]
    unreachable = f"{target.recipient} ({user.get_username()} has no way to be reached)"
    return [Target(target.channel, target.kind, unreachable, target.audience)]


def expand(target: Target, now: datetime) -> list[Target]:
    schedule = queries.schedules().filter(slug=target.recipient.strip()).first()
    if schedule is None:
        return [Target(target.channel, target.kind, f"{target.recipient} (no such schedule)", target.audience)]
    person = queries.on_call_user(schedule, now)
    if person is None:
        return [Target(target.channel, target.kind, f"{target.recipient} (nobody on call)", target.audience)]
    return person_targets(person, target)

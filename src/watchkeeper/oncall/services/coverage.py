"""The nightly check: gaps in each schedule over the next 14 days, and rota members nobody can reach.

It emails the team (its address) and Watchkeeper's admins, once a night, only when something needs fixing, and
queues itself for the next night, so it runs without cron.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from watchkeeper.catalogue.models import Team
from watchkeeper.domain.rota import Shift
from watchkeeper.incidents import events
from watchkeeper.oncall import queries
from watchkeeper.oncall.models import LayerMember, NightlyCheck

log = logging.getLogger(__name__)
AHEAD = timedelta(days=14)


@dataclass
class Finding:
    team: Team
    gaps: list[tuple[str, Shift]] = field(default_factory=list)
    unreachable: list[tuple[str, str]] = field(default_factory=list)


def reachable(user: User) -> bool:
    methods = list(user.contact_methods.all())  # type: ignore[attr-defined]
    if not methods:
        return bool(user.email)  # a page falls back to the person's email address
    return any(method.working for method in methods)


def findings(now: datetime) -> list[Finding]:
    found: dict[int, Finding] = {}
    for schedule in queries.schedules():
        finding = found.setdefault(schedule.team_id, Finding(schedule.team))
        finding.gaps += [(schedule.name, s) for s in queries.shifts(schedule, now, now + AHEAD) if s.user is None]
        members = LayerMember.objects.filter(layer__schedule=schedule).select_related("user").distinct()
        seen = {name for _, name in finding.unreachable}
        for member in members:
            if member.user.username not in seen and not reachable(member.user):
                finding.unreachable.append((schedule.name, member.user.username))
                seen.add(member.user.username)
    return [f for f in found.values() if f.gaps or f.unreachable]


def _text(finding: Finding) -> str:
    lines = [f"Watchkeeper's nightly on-call check for {finding.team.name} found something to fix.", ""]
    if finding.gaps:
        lines.append("Nobody is on call at these times in the next 14 days:")
        for name, gap in finding.gaps:
            zone = ZoneInfo(settings.TIME_ZONE)
            lines.append(
                f"- {name}: {gap.start.astimezone(zone):%a %-d %b %H:%M} to {gap.end.astimezone(zone):%a %-d %b %H:%M}"
            )
        lines.append("")
    if finding.unreachable:
        lines.append("These rota members have no working contact method:")
        lines += [f"- {user} ({name})" for name, user in finding.unreachable]
        lines.append("")
    lines.append(f"{settings.SITE_URL}/oncall/")
    return "\n".join(lines)


def run(now: datetime | None = None) -> int:
    """Sends one email per team with something to fix; how many were sent."""
    now = now or timezone.now()
    admins = list(
        User.objects.filter(groups__name="admin", is_active=True).exclude(email="").values_list("email", flat=True)
    )
    sent = 0
    for finding in findings(now):
        to = sorted({*admins, *([finding.team.email] if finding.team.email else [])})
        if not to:
            continue
        try:
            send_mail(f"On-call gaps and problems: {finding.team.name}", _text(finding), None, to)
            sent += 1
        except Exception:
            log.exception("could not send the on-call check for %s", finding.team.slug)
    schedule_next(now)
    return sent


def next_run(now: datetime) -> datetime:
    """02:00 local on the next night, when nobody is likely to be changing the rota."""
    zone = ZoneInfo(settings.TIME_ZONE)
    tomorrow = now.astimezone(zone).date() + timedelta(days=1)
    return datetime.combine(tomorrow, time(2, 0), tzinfo=zone)


def schedule_next(now: datetime | None = None) -> bool:
    now = now or timezone.now()
    due = next_run(now)
    try:
        with transaction.atomic():
            _, created = NightlyCheck.objects.get_or_create(run_after=due)
            if created:
                NightlyCheck.objects.filter(run_after__lt=now).delete()
                events.enqueue("oncall.nightly_check", run_after=due)
    except IntegrityError:
        return False
    return created

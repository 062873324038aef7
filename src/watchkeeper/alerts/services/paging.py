"""Where alert groups meet on-call pages: a new group pages the integration's policy (one page for a whole storm);
acknowledging or resolving either side carries over to the other."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from watchkeeper.alerts.models import Alert, AlertGroup, GroupPage, Integration
from watchkeeper.alerts.services.records import record
from watchkeeper.domain.alerting import STORM_WINDOW, is_storm
from watchkeeper.incidents.models import Incident
from watchkeeper.oncall import services as oncall
from watchkeeper.oncall.models import EscalationPolicy, Page, PageStatus
from watchkeeper.oncall.services.paging import ACK_VIA

SOURCE = "alerts"


def _details(group: AlertGroup) -> str:
    return f"Alert group {group.pk} on {group.integration.name} ({group.integration.service.name}): {group.title}"


def page_new_group(group: AlertGroup, now: datetime) -> None:
    """The page is made in the intake's transaction; a task notifies its people, so the sender is not kept waiting
    on the fan-out (see oncall's escalation.start)."""
    integration: Integration = group.integration  # locked by the intake for the whole batch
    if integration.policy is None:
        record(group, "not_paged", "Not paged: the integration has no escalation policy")
        return
    storm_page = integration.storm_page
    if storm_page and integration.storm_until and integration.storm_until > now and storm_page.status != "resolved":
        _join_storm(group, integration, storm_page, now)
        return
    limit = settings.ALERTS_STORM_GROUPS_PER_MINUTE
    recent = AlertGroup.objects.filter(integration=integration, opened_at__gt=now - STORM_WINDOW).count()
    if is_storm(recent, limit):
        page = oncall.trigger_page(
            summary=f"Alert storm on {integration.name}: more than {limit} new alert groups in a minute",
            policy=integration.policy,
            details=f"New groups keep arriving on {integration.service.name}; they are listed on the alerts page.",
            source=SOURCE,
            notify_later=True,
        )
        integration.storm_page = page
        _join_storm(group, integration, page, now)
        return
    page = oncall.trigger_page(
        summary=group.title, policy=integration.policy, details=_details(group), source=SOURCE, notify_later=True
    )
    GroupPage.objects.create(group=group, page=page, reason="group")
    record(group, "paged", f"Paged the {integration.policy.name} policy (page {page.pk})")


def _join_storm(group: AlertGroup, integration: Integration, page: Page, now: datetime) -> None:
    GroupPage.objects.create(group=group, page=page, reason="storm")
    group.storm = True
    group.save(update_fields=["storm"])
    integration.storm_until = now + timedelta(seconds=STORM_WINDOW.total_seconds())
    integration.save(update_fields=["storm_page", "storm_until"])
    record(group, "storm", f"Part of an alert storm: covered by page {page.pk}")


def tell_acknowledger(group: AlertGroup, alert: Alert) -> None:
    """Someone acknowledged this group and may think it is under control: a new alert in it must reach them."""
    who = group.acknowledged_by
    if who is None:
        acked = Page.objects.filter(alert_links__group=group, acknowledged_by__isnull=False).first()
        who = acked.acknowledged_by if acked else None
    if who is None:
        record(group, "acknowledger_told", f"New alert in an acknowledged group: {alert.summary}", alert=alert)
        return
    page = oncall.trigger_page(
        summary=f"New alert in a group you acknowledged: {alert.summary}",
        users=[who],
        details=_details(group),
        source=SOURCE,
        notify_later=True,
    )
    GroupPage.objects.create(group=group, page=page, reason="acknowledger")
    record(group, "acknowledger_told", f"Paged {who.get_username()}: new alert {alert.summary}", alert=alert)


def _open_pages(group: AlertGroup, status: str | None = None) -> list[Page]:
    pages = Page.objects.filter(alert_links__group=group).exclude(status=PageStatus.RESOLVED)
    return list(pages.filter(status=status) if status else pages)


def acknowledge_pages(group: AlertGroup, actor: User, via: str) -> None:
    for page in _open_pages(group, PageStatus.TRIGGERED):
        oncall.acknowledge_page(page, user=actor, via=via if via in ACK_VIA else "web")


def resolve_pages(group: AlertGroup) -> None:
    """A page shared by a storm resolves only once every group on it has."""
    for page in _open_pages(group):
        others = (
            GroupPage.objects.filter(page=page)
            .exclude(group=group)
            .filter(group__status__in=["firing", "acknowledged"])
        )
        if not others.exists():
            oncall.resolve_page(page)


def attach_incident(group: AlertGroup, incident: Incident, actor: User | None = None) -> None:
    """The group's own pages now belong to its incident, so acknowledging one makes the acknowledger lead.
    A storm page stays unattached: it speaks for many groups, not for this incident alone."""
    pages = Page.objects.filter(alert_links__group=group, alert_links__reason__in=["group", "acknowledger"])
    for page in pages.exclude(status=PageStatus.RESOLVED).filter(incident__isnull=True).distinct():
        oncall.attach_to_incident(page, incident, actor=actor)


def policy_named(slug: str | None) -> EscalationPolicy | None:
    if not slug:
        return None
    found = EscalationPolicy.objects.filter(slug=slug).first()
    if found is None:
        raise ValidationError({"policy": f"no escalation policy with the short name {slug!r}"})
    return found


def page_ids(group: AlertGroup) -> list[int]:
    return sorted(link.page_id for link in group.group_pages.all())

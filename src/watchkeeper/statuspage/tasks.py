"""Background work for the status page. Every task re-checks the database when it runs: it may be late or twice."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django_tasks import task

from watchkeeper.statuspage import s3, sending, services, snapshot
from watchkeeper.statuspage.models import PublicIncident, Subscriber, SubscriberMessage
from watchkeeper.statuspage.services import sms


def _later() -> datetime:
    return timezone.now() + sending.stale()


# Confirmation emails jump the queue, so a sign-up never waits behind a bulk send.
URGENT = 50
BULK = -10


@task(priority=URGENT)
def send_confirmation(subscriber_id: int) -> bool:
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None:
        return False
    sending.confirmation_email(subscriber).send()
    return True


@task(priority=URGENT)
def send_sms_code(subscriber_id: int) -> bool:
    subscriber = Subscriber.objects.filter(pk=subscriber_id, medium=Subscriber.Medium.SMS).first()
    if subscriber is None or not subscriber.code:
        return False
    sms.send_code(subscriber)
    return True


@task()
def fan_out(update_id: int, purpose: str) -> int:
    """Plans the deliveries for one update and queues them in batches; the sweep catches abandoned claims."""
    batches = sending.plan(update_id, purpose)
    for batch in batches:
        send_batch.enqueue(batch)
    sweep.using(run_after=_later()).enqueue(update_id, purpose)
    return sum(len(batch) for batch in batches)


@task(priority=BULK)
def send_batch(delivery_ids: list[int]) -> int:
    return sending.send_batch(delivery_ids)


@task()
def sweep(update_id: int, purpose: str) -> int:
    """Re-queues deliveries whose worker died mid-batch, and comes back while any are still outstanding.

    It never plans again: fan_out queues it only once the plan is whole, and planning again would send the update
    to whoever subscribed since (they signed up for what comes next, not for an update of ten minutes ago)."""
    sending.release_stale(update_id, purpose)
    batches = sending.pending_batches(update_id, purpose)
    for batch in batches:
        send_batch.enqueue(batch)
    if (
        batches
        or SubscriberMessage.objects.filter(
            update_id=update_id, purpose=purpose, state=SubscriberMessage.State.SENDING
        ).exists()
    ):
        sweep.using(run_after=_later()).enqueue(update_id, purpose)
    return sum(len(batch) for batch in batches)


# The page everyone refreshes during an outage must show a new update at once, not after a bulk send.
@task(priority=URGENT)
def refresh_snapshot() -> int:
    return snapshot.write()


@task()
def push_to_object_storage() -> int:
    """Copies the newest snapshot version to STATUSPAGE_S3_URL; a failed push is caught up by the next one."""

    return s3.push_current()


@task()
def nightly_refresh() -> int:
    """Rolls the 90-day history and "last updated" over on a quiet day; writing queues the next night's."""
    return snapshot.write()


@task()
def start_maintenance(public_id: int) -> bool:
    return services.start_maintenance_if_due(public_id)


@task()
def complete_maintenance(public_id: int) -> bool:
    return services.complete_maintenance_if_due(public_id)


@task()
def remind_maintenance(public_id: int) -> int:
    """Tells subscribers a window starts soon, unless it was cancelled, moved or has started."""
    public = PublicIncident.objects.filter(pk=public_id, status="scheduled").first()
    first = public.updates.order_by("created_at", "id").first() if public else None
    if first is None:
        return 0
    return fan_out.call(first.pk, "reminder")

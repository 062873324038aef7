"""The demo's incidents: every GDS step, told through the same service functions a person's clicks call.

Each step runs at the moment it would have happened, relative to now, with the clock stopped there (time-machine)
for just that call. So the timeline reads like a real one, the open P2's clocks are live (an update is due in
about an hour and a half) and the resolved P3's durations are real durations. Nothing writes a model directly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, time, timedelta
from typing import TypeVar

import time_machine
from django.contrib.auth.models import User
from django.utils import timezone

from watchkeeper.catalogue.models import Component, Service
from watchkeeper.incidents import services as incidents
from watchkeeper.incidents.models import Incident
from watchkeeper.reviews import services as reviews
from watchkeeper.statuspage import services as statuspage
from watchkeeper.statuspage import snapshot
from watchkeeper.statuspage.models import PublicIncident

T = TypeVar("T")
# Every demo incident is declared with a key starting so; finding one means the story is already told.
KEY_PREFIX = "demo-"
# What the README and `watchkeeper demo` tell a newcomer to open first.
FIRST_CLICK = "Card payments failing for some users"


@contextmanager
def at(instant: datetime) -> Iterator[None]:
    # Frozen, not ticking: each step happens at exactly its moment, so the story reads the same every time.
    with time_machine.travel(instant, tick=False):
        yield


def when(instant: datetime, step: Callable[[], T]) -> T:
    with at(instant):
        return step()


def tell(people: dict[str, User], services: dict[str, Service], now: datetime) -> None:
    """The resolved P3, the open P2, the restricted security incident and a scheduled maintenance, oldest first."""
    with snapshot.one_refresh():
        resolved_p3(people, services["notify"], _working_day_before(now, days=3))
        open_p2(people, services["pay-api"], now)
        restricted_security(people, services["pay-api"], now)
        maintenance(people, services["notify"], now)


def _working_day_before(now: datetime, *, days: int) -> datetime:
    """At least `days` before now and a Monday to Friday, so the P3's office-hours clock starts at once."""
    day = now - timedelta(days=days)
    while timezone.localtime(day).weekday() >= 5:
        day -= timedelta(days=1)
    return day


def _component(service: Service, slug: str) -> Component:
    return service.components.get(slug=slug)


def open_p2(people: dict[str, User], service: Service, now: datetime) -> Incident:
    """Declared 75 minutes ago with its response team formed, then investigated until the cause was found."""
    sam, priya, tom = people["sam"], people["priya"], people["tom"]
    minutes = lambda n: now - timedelta(minutes=n)  # noqa: E731
    incident = when(
        minutes(75),
        lambda: incidents.declare(
            sam,
            title=FIRST_CLICK,
            service=service,
            priority="P2",
            reported_at=minutes(82),
            description="About 1 in 5 card payments fail at the confirmation step since the 10:40 release.",
            reporter="Payments support desk",
            idempotency_key=f"{KEY_PREFIX}p2",
        ),
    )
    when(minutes(70), lambda: incidents.assign_role(sam, incident, "incident_lead", sam))
    when(minutes(68), lambda: incidents.assign_role(sam, incident, "comms_lead", priya))
    when(minutes(66), lambda: incidents.join(sam, incident, tom))
    public = _p2_investigating(people, service, incident, now)
    _p2_cause_found(people, service, incident, public, now)
    return incident


def _p2_investigating(people: dict[str, User], service: Service, incident: Incident, now: datetime) -> PublicIncident:
    """The first half hour: what the team found, what stakeholders were told, and the public status page post."""
    priya, tom = people["priya"], people["tom"]
    minutes = lambda n: now - timedelta(minutes=n)  # noqa: E731
    when(
        minutes(60),
        lambda: incidents.add_note(tom, incident, "Error rate on card confirmations is 18%; refunds are unaffected."),
    )
    when(
        minutes(55),
        lambda: incidents.post_update(
            priya,
            incident,
            "We are investigating failed card payments on Pay. About 1 in 5 payments fail; users can retry. "
            "Next update within 2 hours.",
        ),
    )
    return when(
        minutes(50),
        lambda: statuspage.publish_incident(
            priya,
            incident,
            name="Some card payments are failing",
            body="Some card payments are failing at the last step. We are investigating. You can try again.",
            component_statuses={_component(service, "card-payments"): "degraded_performance"},
        ),
    )


def _p2_cause_found(
    people: dict[str, User], service: Service, incident: Incident, public: PublicIncident, now: datetime
) -> None:
    """The cause found and a roll-back decided, with stakeholders and the public told; the P2 stays open."""
    sam, priya = people["sam"], people["priya"]
    minutes = lambda n: now - timedelta(minutes=n)  # noqa: E731
    when(
        minutes(40),
        lambda: incidents.change_status(
            sam, incident, "identified", "The 10:40 release changed the card provider's timeout from 30 s to 3 s."
        ),
    )
    when(
        minutes(35),
        lambda: incidents.add_note(sam, incident, "Roll back the 10:40 release rather than hotfix.", kind="decision"),
    )
    when(
        minutes(25),
        lambda: incidents.post_update(
            priya,
            incident,
            "Cause found: a configuration change in this morning's release. We are rolling it back and expect "
            "payments to recover within the hour. Next update within 2 hours.",
        ),
    )
    when(
        minutes(24),
        lambda: statuspage.post_update(
            priya,
            public,
            status="identified",
            body="We have found the cause and are fixing it. Some card payments may still fail; please try again.",
            component_statuses={_component(service, "card-payments"): "degraded_performance"},
        ),
    )


def resolved_p3(people: dict[str, User], service: Service, day: datetime) -> Incident:
    """Three or more days ago, in office hours: text messages delayed by a provider, fixed, reported and reviewed."""
    tom, sam, priya = people["tom"], people["sam"], people["priya"]
    start = timezone.localtime(day).replace(hour=10, minute=5, second=0, microsecond=0)
    hours = lambda n: start + timedelta(hours=n)  # noqa: E731
    incident = when(
        hours(0.25),
        lambda: incidents.declare(
            tom,
            title="Text messages delayed by up to 40 minutes",
            service=service,
            priority="P3",
            reported_at=start,
            description="Delivery receipts for text messages are arriving late; the queue is growing.",
            take_lead=True,
            idempotency_key=f"{KEY_PREFIX}p3",
        ),
    )
    when(hours(0.5), lambda: incidents.assign_role(tom, incident, "comms_lead", sam))
    when(hours(0.75), lambda: incidents.add_note(tom, incident, "One SMS provider is refusing 30% of requests."))
    when(
        hours(1),
        lambda: incidents.post_update(
            sam, incident, "Text messages are delayed by up to 40 minutes. Emails and letters are not affected."
        ),
    )
    when(hours(1.5), lambda: incidents.change_status(tom, incident, "identified", "Provider confirmed a fault."))
    when(
        hours(1.75),
        lambda: incidents.change_status(tom, incident, "monitoring", "Traffic moved to the other provider."),
    )
    when(hours(2.5), lambda: incidents.resolve(tom, incident, "Failed over to the second SMS provider; queue drained."))
    when(hours(24), lambda: _report(tom, incident))
    review_day = hours(48)
    when(review_day, lambda: _review(tom, incident, held_at=review_day - timedelta(hours=1)))
    when(
        review_day + timedelta(minutes=5),
        lambda: reviews.add_action(
            tom, incident, title="Alert when one SMS provider refuses over 5% of requests", owner=tom,
            due_in_business_days=5,
        ),
    )  # fmt: skip
    when(
        review_day + timedelta(minutes=6),
        lambda: reviews.add_action(
            tom, incident, title="Document the manual failover in the runbook", owner=priya, due_in_business_days=10
        ),
    )
    return incident


def _report(actor: User, incident: Incident) -> object:
    return reviews.update_report(
        actor,
        incident,
        sections={
            "overview": "One of our two SMS providers refused a third of our requests for two and a half hours. "
            "Retries queued up and text messages arrived up to 40 minutes late.",
            "user_impact": "About 12,000 text messages arrived late. None were lost. Emails and letters were fine.",
            "services_affected": "Send notifications (text messages). Services sending codes by text saw more "
            "sign-in retries.",
        },
        public_text="Text messages were delayed by up to 40 minutes because of a fault at one of our providers.",
    )


def _review(actor: User, incident: Incident, *, held_at: datetime) -> object:
    return reviews.record_review(
        actor,
        incident,
        held_at=held_at,
        attendance="Tom (incident lead), Sam (comms lead), Priya, the provider's account manager",
        root_cause="A fault at one SMS provider; our failover is manual, so traffic kept going to it.",
        root_cause_category="third_party",
        why_not_caught="We alert on queue length, not on refusals per provider.",
        alerted_quickly="No: a service team told us 15 minutes after delays began.",
        diagnosed_and_fixed_quickly="Diagnosed in 30 minutes; the manual failover took another hour.",
        underlying_issue_fixed="The provider fixed their fault. Automatic failover is an action.",
        what_helped="The provider's status page confirmed the fault quickly.",
        what_hindered="The failover steps were only in one person's head.",
        process_and_comms="Yes. The stakeholder update went out within the hour.",
        how_to_improve="Alert on refusals per provider and write the failover down.",
        recommendations="Consider automatic failover between providers next quarter.",
    )


def restricted_security(people: dict[str, User], service: Service, now: datetime) -> Incident:
    """Only the security group, its response team and admins can see this one, even in the register."""
    jo = people["jo"]
    incident = when(
        now - timedelta(minutes=30),
        lambda: incidents.declare(
            jo,
            title="Repeated sign-in attempts on the Pay admin tool from one network",
            service=service,
            type="security_incident",
            priority="P3",
            reported_at=now - timedelta(minutes=45),
            description="4,000 failed sign-ins in 20 minutes against admin accounts; none succeeded so far.",
            take_lead=True,
            idempotency_key=f"{KEY_PREFIX}security",
        ),
    )
    when(
        now - timedelta(minutes=20),
        lambda: incidents.add_note(jo, incident, "Blocked the network range at the edge; watching for new sources."),
    )
    return incident


def maintenance(people: dict[str, User], service: Service, now: datetime) -> object:
    """Tomorrow, 07:00 to 08:00 local time, before most people post letters."""
    tomorrow = timezone.localtime(now).date() + timedelta(days=1)
    starts = timezone.make_aware(datetime.combine(tomorrow, time(7, 0)))
    return statuspage.schedule_maintenance(
        people["priya"],
        name="Letters: printing provider upgrade",
        body="Letters sent between 07:00 and 08:00 will be printed after 08:00. Emails and texts are not affected.",
        components=[_component(service, "letters")],
        scheduled_for=starts,
        scheduled_until=starts + timedelta(hours=1),
    )

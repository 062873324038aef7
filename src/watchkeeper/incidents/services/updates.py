"""What people are told and what the team writes down: stakeholder updates, status page posts and notes.

A stakeholder update restarts the next-update clock the priority's policy sets; notes, actions and decisions are
the living record of the investigation.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from watchkeeper.accounts.roles import Role, has_role
from watchkeeper.domain.workflow import Step
from watchkeeper.incidents import clocks, events
from watchkeeper.incidents.models import EntryKind, Incident, TimelineEntry
from watchkeeper.incidents.services.checklist import tick
from watchkeeper.incidents.services.common import lock, publish, record, require, save

NOTE_KINDS = {EntryKind.NOTE.value, EntryKind.ACTION.value, EntryKind.DECISION.value}
# Marks an update the status page already carries, so it is not copied there again.
STATUS_PAGE = "status_page"


@transaction.atomic
def post_update(
    actor: User,
    incident: Incident,
    body: str,
    *,
    public: bool = False,
    expected_version: int | None = None,
    confirm_restricted: bool = False,
) -> TimelineEntry:
    """A stakeholder update: it resets the next-update clock as the priority's policy says."""
    if not body.strip():
        raise ValidationError({"body": "Enter the update"})
    incident = lock(actor, incident, expected_version)
    if public:
        _check_public_allowed(actor, incident, confirm_restricted)
    if not incident.is_open:
        raise ValidationError({"body": f"{incident.reference} is {incident.status}: reopen it to post updates"})
    late = _update_given(incident)
    entry = record(incident, actor, EntryKind.UPDATE, body.strip(), public=public, late=late)
    tick(incident, Step.INVESTIGATING_WITH_REPORT, actor)
    publish(events.UPDATED, incident, actor, entry_id=entry.pk, public=public, confirmed=public and incident.restricted)
    return entry


def _update_given(incident: Incident) -> bool:
    """An update was given now: the update clock restarts from it. Returns whether it came after it was due."""
    now = timezone.now()
    late = incident.next_update_due is not None and now > incident.next_update_due
    incident.last_update_at = now
    if late:
        incident.updates_late += 1
    clocks.recompute(incident)
    save(incident)
    return late


def _check_public_allowed(actor: User, incident: Incident, confirm_restricted: bool) -> None:
    """A restricted incident says nothing in public without an admin's explicit decision, as publishing it needs:
    an incident restricted after it was published must not keep feeding the status page and its subscribers."""
    if not incident.restricted:
        return
    if not confirm_restricted:
        raise ValidationError(
            {"public": f"{incident.reference} is restricted: a public update needs an admin to confirm it"}
        )
    require(has_role(actor, Role.ADMIN), "Only an admin can confirm a public update on a restricted incident")


@transaction.atomic
def record_status_page_post(
    actor: User | None, incident: Incident, text: str, *, reset_clock: bool = True
) -> TimelineEntry:
    """A post the status page made for this incident: on its timeline, and like a stakeholder update it resets
    the update clock (a backfill, dated in the past, does not). The status page checked who may publish;
    ``via`` tells it not to copy this back."""
    incident = Incident.objects.select_for_update().select_related("service").get(pk=incident.pk)
    late = _update_given(incident) if incident.is_open and reset_clock else False
    entry = record(incident, actor, EntryKind.UPDATE, text.strip(), public=True, late=late, via=STATUS_PAGE)
    publish(events.UPDATED, incident, actor, entry_id=entry.pk, public=True, via=STATUS_PAGE)
    return entry


@transaction.atomic
def add_note(
    actor: User,
    incident: Incident,
    body: str,
    kind: str = EntryKind.NOTE.value,
    *,
    expected_version: int | None = None,
) -> TimelineEntry:
    """A note, action or decision on the timeline: the living record of the investigation."""
    if kind not in NOTE_KINDS:
        raise ValidationError({"kind": f"unknown kind {kind!r}: use note, action or decision"})
    if not body.strip():
        raise ValidationError({"body": f"Enter the {kind}"})
    incident = lock(actor, incident, expected_version)
    entry = record(incident, actor, kind, body.strip())
    tick(incident, Step.INVESTIGATING_WITH_REPORT, actor)
    return entry

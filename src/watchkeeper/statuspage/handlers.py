"""How the status page follows the rest of Watchkeeper: an internal update marked public is posted publicly
too, and catalogue changes and post-incident reports re-render the snapshot."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from watchkeeper.incidents import events, panels
from watchkeeper.incidents.models import TimelineEntry
from watchkeeper.statuspage import incident_panels, services, snapshot, tasks
from watchkeeper.statuspage.models import PublicIncident


def on_catalogue_change(event: events.RecordEvent) -> None:
    """A component or service added, renamed or removed shows on the public page without waiting for a post."""
    snapshot.refresh_after_commit()


def on_report_changed(event: events.IncidentEvent) -> None:
    """An incident shown publicly gets its post-incident report (or loses it) at once."""
    if PublicIncident.objects.filter(incident_id=event.incident_id).exists():
        snapshot.refresh_after_commit()


def on_incident_update(event: events.IncidentEvent) -> None:
    """Runs inside the incident's transaction, so the internal and public posts commit together."""
    if not event.data.get("public") or event.data.get("via"):
        # An update with "via" came from the status page itself: it is there already.
        return
    entry_id = event.data.get("entry_id")
    entry = TimelineEntry.objects.filter(pk=entry_id).first() if isinstance(entry_id, int) else None
    if entry is None:
        return
    actor = get_user_model().objects.filter(pk=event.actor_id).first() if event.actor_id else None
    for public in PublicIncident.objects.filter(incident_id=event.incident_id, resolved_at__isnull=True):
        services.post_update(
            actor,  # type: ignore[arg-type]
            public,
            status=public.status,
            body=entry.text,
            # incidents.services.post_update refused it unless an admin confirmed; the confirmation carries over.
            confirm_restricted=bool(event.data.get("confirmed")),
            on_timeline=False,
        )


def connect() -> None:
    events.queue(
        {
            "statuspage.send_confirmation": tasks.send_confirmation,
            "statuspage.send_sms_code": tasks.send_sms_code,
            "statuspage.fan_out": tasks.fan_out,
            "statuspage.refresh_snapshot": tasks.refresh_snapshot,
            "statuspage.push_to_object_storage": tasks.push_to_object_storage,
            "statuspage.nightly_refresh": tasks.nightly_refresh,
            "statuspage.start_maintenance": tasks.start_maintenance,
            "statuspage.complete_maintenance": tasks.complete_maintenance,
            "statuspage.remind_maintenance": tasks.remind_maintenance,
        }
    )
    events.add_handler(on_incident_update, {events.UPDATED})
    events.add_handler(on_report_changed, {events.REPORT_CHANGED})
    panels.contribute(incident_panels.incident_links)
    panels.contribute_flag(incident_panels.behind_flags)
    panels.contribute_public_state(incident_panels.public_states)
    events.add_handler(on_catalogue_change, {events.CATALOGUE_CHANGED})

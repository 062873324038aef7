"""JSON in the shapes of Atlassian Statuspage's public v2 API, so its existing clients and widgets work."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.urls import reverse

from watchkeeper.catalogue.models import Component
from watchkeeper.statuspage import conf, queries
from watchkeeper.statuspage.models import PublicIncident, PublicUpdate
from watchkeeper.statuspage.vocabulary import worst_status

PAGE_ID = "watchkeeper"
RECENT = 50

Json = dict[str, Any]


def _time(instant: datetime | None) -> str | None:
    return instant.isoformat() if instant else None


def _page(updated_at: datetime) -> Json:
    return {
        "id": PAGE_ID,
        "name": conf.name(),
        "url": conf.site_url(),
        "time_zone": conf.time_zone(),
        "updated_at": _time(updated_at),
    }


def absolute(path: str) -> str:
    """Public links: the page's own address plus a path below /status/."""
    prefix = reverse("statuspage:page")
    return conf.site_url() + path.removeprefix(prefix)


def _component(component: Component, group_id: str | None = None) -> Json:
    return {
        "id": str(component.pk),
        "name": component.name,
        "status": getattr(component, "status", "operational"),
        "created_at": _time(getattr(component, "since", None)),
        "updated_at": _time(getattr(component, "since", None)),
        "position": component.position,
        "description": component.description or None,
        "showcase": True,
        "start_date": None,
        "group_id": group_id,
        "page_id": PAGE_ID,
        "group": False,
        "only_show_if_degraded": False,
    }


def components(found: list[Component]) -> list[Json]:
    """Each service is a component group, as Statuspage shows groups, followed by its components."""
    result: list[Json] = []
    for position, group in enumerate(queries.grouped(found), start=1):
        group_id = f"service-{group.service.slug}"
        statuses = [getattr(c, "status", "operational") for c in group.components]
        result.append(
            {
                **_component(group.components[0], None),
                "id": group_id,
                "name": group.service.name,
                "status": worst_status(statuses).value,
                "position": position,
                "description": group.service.description or None,
                "group": True,
                "components": [str(c.pk) for c in group.components],
            }
        )
        result.extend(_component(c, group_id) for c in group.components)
    return result


def _update(update: PublicUpdate) -> Json:
    return {
        "id": str(update.pk),
        "status": update.status,
        "body": update.body,
        "incident_id": str(update.public_incident_id),
        "created_at": _time(update.created_at),
        "updated_at": _time(update.created_at),
        "display_at": _time(update.display_at),
        "affected_components": [
            {
                "code": str(a.component_id),
                "name": a.component.name,
                "old_status": a.old_status,
                "new_status": a.new_status,
            }
            for a in update.affected.all()
        ],
        "deliver_notifications": update.notify,
        "custom_tweet": None,
        "tweet_id": None,
    }


def incident(public: PublicIncident, statuses: dict[int, str]) -> Json:
    data: Json = {
        "id": str(public.pk),
        "name": public.name,
        "status": public.status,
        "created_at": _time(public.created_at),
        "updated_at": _time(public.updated_at),
        "monitoring_at": _time(public.monitoring_at),
        "resolved_at": _time(public.resolved_at),
        "impact": public.impact,
        "shortlink": absolute(reverse("statuspage:incident", args=[public.pk])),
        "started_at": _time(public.started_at),
        "page_id": PAGE_ID,
        "incident_updates": [_update(u) for u in public.updates.all()],
        "components": [],
    }
    for component in public.components.all():
        component.status = statuses.get(component.pk, "operational")  # type: ignore[attr-defined]
        data["components"].append(_component(component, f"service-{component.service.slug}"))
    if public.is_maintenance:
        data["scheduled_for"] = _time(public.scheduled_for)
        data["scheduled_until"] = _time(public.scheduled_until)
    elif (report := queries.report(public)) is not None:
        # Statuspage's own names for an incident's postmortem; present only once one is published.
        data["postmortem_body"] = report.text
        data["postmortem_published_at"] = _time(report.published_at)
    return data


def documents() -> dict[str, Json]:
    """Every endpoint under api/v2/, built from one set of reads so they agree with each other."""
    found = queries.components()
    statuses = {c.pk: c.status for c in found}  # type: ignore[attr-defined]
    unresolved = list(queries.unresolved_incidents().prefetch_related("components__service"))
    upcoming = list(queries.upcoming_maintenances().prefetch_related("components__service"))
    active = list(queries.active_maintenances().prefetch_related("components__service"))
    recent = list(queries.incidents().prefetch_related("components__service")[:RECENT])
    maintenances = list(queries.maintenances().prefetch_related("components__service")[:RECENT])
    indicator, description = queries.overall(found, unresolved)
    page = _page(queries.last_changed())
    status = {"indicator": indicator, "description": description}
    component_list = components(found)

    def listed(items: list[PublicIncident]) -> list[Json]:
        return [incident(item, statuses) for item in items]

    return {
        "summary.json": {
            "page": page,
            "components": component_list,
            "incidents": listed(unresolved),
            "scheduled_maintenances": listed(active + upcoming),
            "status": status,
        },
        "status.json": {"page": page, "status": status},
        "components.json": {"page": page, "components": component_list},
        "incidents.json": {"page": page, "incidents": listed(recent)},
        "incidents/unresolved.json": {"page": page, "incidents": listed(unresolved)},
        "scheduled-maintenances.json": {"page": page, "scheduled_maintenances": listed(maintenances)},
        "scheduled-maintenances/upcoming.json": {"page": page, "scheduled_maintenances": listed(upcoming)},
        "scheduled-maintenances/active.json": {"page": page, "scheduled_maintenances": listed(active)},
    }

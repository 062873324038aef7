"""Webhook subscribers: Statuspage-shaped payloads, signed as the notifications app signs every webhook.

The public chooses these URLs, so each is checked before it is stored and again before each send: only
https (plain http only where STATUSPAGE_WEBHOOK_ALLOW_PRIVATE is on, for local tests and benchmarks) and
never an address inside the network, so a sign-up cannot make the server call its own neighbours.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from watchkeeper.notifications import sealing as sealed
from watchkeeper.notifications.channels import Outgoing
from watchkeeper.notifications.channels.webhook import WebhookTransport
from watchkeeper.statuspage import conf, public_json, queries
from watchkeeper.statuspage.models import PublicUpdate, SubscriberMessage
from watchkeeper.statuspage.services import subscribers

TIMEOUT = 10.0


def shared(update: PublicUpdate) -> dict[str, Any]:
    """The part of Statuspage's incident webhook body every subscriber gets: the page and the incident.

    Built once per update and batch, not once per subscriber.
    """
    found = queries.components()
    indicator, description = queries.overall(found, list(queries.unresolved_incidents()))
    statuses = {c.pk: c.status for c in found}  # type: ignore[attr-defined]
    incident = queries.public_incidents().prefetch_related("components__service").get(pk=update.public_incident_id)
    return {
        "page": {"id": public_json.PAGE_ID, "status_indicator": indicator, "status_description": description},
        "incident": public_json.incident(incident, statuses),
    }


def send(delivery: SubscriberMessage, common: dict[str, Any]) -> None:
    """Raises Transient (worth retrying) or Permanent, as the notifications transports do."""
    subscriber = delivery.subscriber
    # The transport checks the endpoint again as it resolves it, and connects to the address it checked.
    WebhookTransport(allow_private=conf.webhook_allow_private()).send(
        Outgoing(
            # The webhook-id: a receiver that sees the same one twice can drop the second.
            key=f"statuspage-delivery-{delivery.pk}",
            event=f"incident.{delivery.purpose}",
            kind="webhook",
            recipient=subscriber.endpoint,
            payload={
                "meta": {
                    "unsubscribe": public_json.absolute(
                        reverse("statuspage:unsubscribe", args=[subscribers.manage_token(subscriber)])
                    ),
                    "documentation": public_json.absolute(reverse("statuspage:page")),
                },
                **common,
            },
            secret=sealed.reveal(subscriber.secret),
            timeout=TIMEOUT,
        )
    )

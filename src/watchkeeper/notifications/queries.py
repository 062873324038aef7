"""Reads of channels, routes and the delivery log."""

from __future__ import annotations

from django.db.models import QuerySet

from watchkeeper.incidents.models import Incident
from watchkeeper.notifications.models import Channel, Delivery, Route


def channels() -> QuerySet[Channel]:
    return Channel.objects.all()


def routes() -> QuerySet[Route]:
    return Route.objects.select_related("channel", "service").order_by("service__name", "audience", "id")


def deliveries(incident: Incident) -> QuerySet[Delivery]:
    """The delivery log: callers have already checked the incident is visible (incidents.queries.get_incident)."""
    return Delivery.objects.filter(incident=incident).select_related("channel").order_by("created_at", "id")

"""The only functions that change channels and routes: admins only, fully validated before anything is saved."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import uuid
from typing import Any
from urllib.parse import urlsplit

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from watchkeeper.accounts.roles import is_admin
from watchkeeper.catalogue.models import Service
from watchkeeper.domain.priority import Priority
from watchkeeper.domain.workflow import IncidentType
from watchkeeper.incidents import events
from watchkeeper.incidents.models import Incident
from watchkeeper.notifications import messages, routing, sealing
from watchkeeper.notifications.channels import endpoints
from watchkeeper.notifications.models import Audience, Channel, Delivery, Kind, Route, Status
from watchkeeper.notifications.routing import ALL_EVENTS, GDS_DEFAULTS, TARGET_CHECKS

# For these the URL itself is the credential, so it is kept with the secrets and shown shortened.
URL_IS_SECRET = {Kind.SLACK_WEBHOOK.value, Kind.TEAMS.value}
ENV_REFERENCE = re.compile(r"^env:[A-Za-z_][A-Za-z0-9_]*$")
PHONE = re.compile(r"^\+?[0-9 ()-]{7,20}$")


def _require_admin(actor: User | AnonymousUser) -> None:
    if not is_admin(actor):
        raise PermissionDenied("Only admins can change notification channels and routes")


def _url(value: str, field: str) -> str | None:
    """The same check as the status page's webhook subscribers: https to public addresses only.

    WATCHKEEPER_ALLOW_PRIVATE_ENDPOINTS lets a team use an internal receiver (and plain http). A name that does not
    resolve yet is accepted here: every send resolves and checks again, and connects to the address it checked.
    """
    try:
        endpoints.resolve(value, allow_private=endpoints.channels_allow_private())
    except endpoints.Unresolvable:
        return None
    except endpoints.Refused as error:
        return str(error).replace("an address", "a URL")
    return None


def redacted(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}{':' + str(parts.port) if parts.port else ''}/…"


def _target_error(kind: str, target: str) -> str | None:
    if not target:
        return "Enter where messages go"
    if kind in URL_IS_SECRET or kind == Kind.WEBHOOK:
        return _url(target, "target")
    if kind in {Kind.EMAIL, Kind.NOTIFY_EMAIL}:
        addresses = [a.strip() for a in target.split(",") if a.strip()]
        if kind == Kind.NOTIFY_EMAIL and len(addresses) != 1:
            return "Enter one email address"
        for address in addresses:
            try:
                validate_email(address)
            except ValidationError:
                return f"{address!r} is not an email address"
        return None if addresses else "Enter an email address"
    if kind == Kind.NOTIFY_SMS and not PHONE.match(target):
        return "Enter a phone number, like 07700 900 982 or +44 7700 900 982"
    if kind == Kind.ONCALL:
        check = TARGET_CHECKS.get(kind)
        return check(target) if check else "On-call schedules are not available here"
    if kind == Kind.SLACK and not re.match(r"^#?[A-Za-z0-9._-]{1,80}$", target):
        return "Enter a Slack channel name or ID, like #incidents or C0123456789"
    return None


def _secret_error(kind: str, secret: str, has_secret: bool) -> str | None:
    if secret.startswith("env:"):
        return None if ENV_REFERENCE.match(secret) else "Name an environment variable, like env:WEBHOOK_SECRET"
    if kind == Kind.WEBHOOK:
        if not secret:
            return None if has_secret else "Enter the signing secret (whsec_ followed by base64)"
        if not secret.startswith("whsec_"):
            return "The signing secret starts with whsec_"
        try:
            if len(base64.b64decode(secret.removeprefix("whsec_"), validate=True)) < 16:
                return "The signing secret must be at least 16 bytes"
        except (binascii.Error, ValueError):
            return "The signing secret must be whsec_ followed by base64"
    return None


def _validate(channel: Channel, plain_secret: str | None, new_target: bool) -> None:
    errors: dict[str, str] = {}
    if channel.kind not in Kind.values:
        errors["kind"] = f"Choose one of {', '.join(Kind.values)}"
    elif new_target and (problem := _target_error(channel.kind, channel.target)):
        errors["target"] = problem
    if plain_secret is not None and (problem := _secret_error(channel.kind, plain_secret, bool(channel.secret))):
        errors["secret"] = problem
    elif channel.kind == Kind.WEBHOOK and not channel.secret and not plain_secret:
        errors["secret"] = "Enter the signing secret (whsec_ followed by base64)"
    if channel.kind in {Kind.NOTIFY_EMAIL, Kind.NOTIFY_SMS}:
        try:
            uuid.UUID(channel.template_id)
        except ValueError:
            errors["template_id"] = "Enter the Notify template ID, like 9d6b0d1e-…"
    if not channel.name.strip():
        errors["name"] = "Enter a name for the channel"
    elif Channel.objects.filter(name=channel.name).exclude(pk=channel.pk).exists():
        errors["name"] = "Another channel already has this name"
    if errors:
        raise ValidationError(errors)


def _store(channel: Channel, plain_secret: str | None, new_target: bool) -> Channel:
    _validate(channel, plain_secret, new_target)
    if new_target and channel.kind in URL_IS_SECRET:
        plain_secret = channel.target
        channel.target = redacted(channel.target)
    if plain_secret:
        channel.secret = sealing.seal(plain_secret)
    channel.save()
    return channel


@transaction.atomic
def create_channel(
    actor: User | AnonymousUser,
    *,
    name: str,
    kind: str,
    target: str,
    secret: str | None = None,
    template_id: str = "",
    enabled: bool = True,
) -> Channel:
    _require_admin(actor)
    channel = Channel(name=name.strip(), kind=kind, target=target.strip(), template_id=template_id, enabled=enabled)
    return _store(channel, (secret or "").strip(), new_target=True)


@transaction.atomic
def update_channel(actor: User | AnonymousUser, channel: Channel, **fields: Any) -> Channel:
    """Changes only what is given; a secret left out (or blank) is kept."""
    _require_admin(actor)
    channel = Channel.objects.select_for_update().get(pk=channel.pk)
    secret = (fields.pop("secret", None) or "").strip() or None
    target = fields.pop("target", None)
    new_target = target is not None and target.strip() != channel.target
    if new_target:
        channel.target = str(target).strip()
    if "kind" in fields and fields["kind"] != channel.kind:
        raise ValidationError({"kind": "A channel's kind cannot change: add a new channel instead"})
    for name, value in fields.items():
        setattr(channel, name, value.strip() if isinstance(value, str) else value)
    return _store(channel, secret, new_target)


@transaction.atomic
def delete_channel(actor: User | AnonymousUser, channel: Channel) -> None:
    """Its routes go with it; its deliveries stay in the log, and any not yet sent are failed, not sent elsewhere."""
    _require_admin(actor)
    Delivery.objects.filter(channel=channel, status__in=[Status.PENDING, Status.SENDING]).update(
        status=Status.FAILED, last_error=f"the channel {channel.name} was deleted", failed_at=timezone.now()
    )
    channel.delete()


def _choices(values: list[str] | None, allowed: list[str], field: str, errors: dict[str, str]) -> list[str]:
    result = [v.strip() for v in values or [] if v.strip()]
    unknown = [v for v in result if v not in allowed]
    if unknown:
        errors[field] = f"Unknown: {', '.join(unknown)}. Use {', '.join(allowed)}"
    return sorted(set(result), key=allowed.index) if not unknown else result


def _apply_route(route: Route, fields: dict[str, Any]) -> Route:
    errors: dict[str, str] = {}
    if "priorities" in fields:
        route.priorities = _choices(
            [p.upper() for p in fields["priorities"] or []], [p.value for p in Priority], "priorities", errors
        )
    if "incident_types" in fields:
        route.incident_types = _choices(
            fields["incident_types"], [t.value for t in IncidentType], "incident_types", errors
        )
    if "events" in fields:
        route.events = _choices(fields["events"], ALL_EVENTS, "events", errors)
    for name in ("channel", "service", "enabled"):
        if name in fields:
            setattr(route, name, fields[name])
    if "audience" in fields:
        route.audience = fields["audience"] or Audience.OTHER
        if route.audience not in Audience.values:
            errors["audience"] = f"Choose one of {', '.join(Audience.values)}"
    if errors:
        raise ValidationError(errors)
    route.save()
    return route


@transaction.atomic
def create_route(
    actor: User | AnonymousUser, *, channel: Channel, service: Service | None = None, **fields: Any
) -> Route:
    _require_admin(actor)
    return _apply_route(Route(channel=channel, service=service), fields)


@transaction.atomic
def update_route(actor: User | AnonymousUser, route: Route, **fields: Any) -> Route:
    _require_admin(actor)
    return _apply_route(Route.objects.select_for_update().get(pk=route.pk), fields)


@transaction.atomic
def delete_route(actor: User | AnonymousUser, route: Route) -> None:
    _require_admin(actor)
    route.delete()


@transaction.atomic
def install_gds_defaults(
    actor: User | AnonymousUser, channels: dict[str, Channel], service: Service | None = None
) -> list[Route]:
    """Routes for the GDS rules, one per audience given (team, security, data_protection, escalation, wider)."""
    _require_admin(actor)
    return [
        _apply_route(Route(channel=channel, service=service), {"audience": audience, **GDS_DEFAULTS[audience]})
        for audience, channel in channels.items()
    ]


# Deliveries ---------------------------------------------------------------------------------------------------------


def idempotency_key(event_id: str, target: routing.Target) -> str:
    channel = str(target.channel.pk) if target.channel else "person"
    digest = hashlib.sha256(f"{event_id}|{channel}|{target.recipient}".encode()).hexdigest()
    return f"msg_{digest[:40]}"


def record_deliveries(
    incident: Incident, name: str, event_id: str, targets: list[routing.Target], data: dict[str, Any], text: str = ""
) -> list[Delivery]:
    """Writes one delivery per target and enqueues it, inside the caller's transaction."""
    now = timezone.now()
    targets = routing.expand(targets, now)
    full = messages.build_payload(name, incident, now, data, text)
    withheld = messages.build_payload(name, incident, now, data, withheld=True) if incident.restricted else full
    keyed: dict[str, routing.Target] = {}
    told_everything: set[str] = set()
    for target in targets:
        key = idempotency_key(event_id, target)
        keyed.setdefault(key, target)
        if not messages.withholds(incident, target.audience):
            # A channel that is on the security route as well as another one is inside it.
            told_everything.add(key)
    created = []
    for key, target in keyed.items():
        row, new = Delivery.objects.get_or_create(
            key=key,
            defaults={
                "incident": incident,
                "event": name,
                "channel": target.channel,
                "kind": target.kind,
                "recipient": target.recipient,
                "audience": target.audience,
                "payload": full if key in told_everything else withheld,
                "created_at": now,
            },
        )
        if new:
            events.enqueue("notifications.deliver", row.pk, 1)
            created.append(row)
    return created

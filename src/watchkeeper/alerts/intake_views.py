"""The endpoints other tools send alerts to. Their paths and bodies are those tools' contracts, so they live outside
/api/v1, authenticate by the integration's key (never a session) and answer in the shape each sender expects.

Alertmanager retries only on 5xx, so 5xx is kept for faults a retry can fix (the database busy or away); anything
wrong with the request itself is a 4xx naming the problem, nothing is stored, and the refusal is counted on the
integration so a misconfigured sender shows on its page.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from watchkeeper.alerts import sns
from watchkeeper.alerts.models import Integration, Kind
from watchkeeper.alerts.services import groups, integrations
from watchkeeper.alerts.services.intake import Processed, ingest
from watchkeeper.domain.alert_payloads import (
    PAYLOAD_MAX_BYTES,
    PayloadError,
    parse_alertmanager,
    parse_change_event,
    parse_cloudwatch,
    parse_generic,
    parse_pagerduty,
)
from watchkeeper.domain.alerting import AlertEvent

View = Callable[..., HttpResponse]
log = logging.getLogger(__name__)


class Refused(Exception):
    def __init__(self, status: int, errors: list[str], message: str = "Event object is invalid", **headers: str):
        self.status, self.errors, self.message, self.headers = status, errors, message, headers
        super().__init__("; ".join(errors))


def intake(view: View) -> View:
    """Key-authenticated POST with no CSRF, no login; refusals and retryable faults answered the same everywhere."""

    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        request.alert_integration = None  # type: ignore[attr-defined]  # set once the key is known
        try:
            return view(request, *args, **kwargs)
        except Refused as refused:
            integrations.record_refusal(
                getattr(request, "alert_integration", None), refused.message + ": " + str(refused)
            )
            return _refusal(refused)
        except integrations.Throttled as throttled:
            return _refusal(Refused(429, [str(throttled)], "Throttled", **{"Retry-After": str(throttled.retry_after)}))
        except (OperationalError, InterfaceError, DatabaseError):
            log.exception("alert intake could not reach the database")
            # The database is busy or away: worth retrying, so a 5xx (Alertmanager and PagerDuty clients retry).
            return _refusal(
                Refused(503, ["Watchkeeper cannot store alerts just now"], "Try again", **{"Retry-After": "5"})
            )

    wrapped.__name__ = view.__name__
    return login_not_required(csrf_exempt(require_POST(wrapped)))


def _refusal(refused: Refused) -> HttpResponse:
    status = "throttle event" if refused.status == 429 else "invalid event"
    response = JsonResponse(
        {"status": status, "message": refused.message, "errors": refused.errors}, status=refused.status
    )
    for name, value in refused.headers.items():
        response[name] = value
    return response


def read_json(request: HttpRequest) -> Any:
    """The body as JSON whatever the Content-Type says (SNS sends text/plain), refused past 512 KB."""
    length = request.headers.get("Content-Length")
    if (length and length.isdigit() and int(length) > PAYLOAD_MAX_BYTES) or len(request.body) > PAYLOAD_MAX_BYTES:
        raise Refused(413, ["body: is over 512 KB"], "Request too large")
    try:
        return json.loads(request.body)
    except (ValueError, UnicodeDecodeError) as error:
        raise Refused(400, [f"body: is not valid JSON ({error})"], "Malformed JSON") from None


def integration_for(request: HttpRequest, key: str | None, *, status: int = 404) -> Integration:
    found, valid = integrations.find_by_key(key)
    if found is not None and not valid:
        request.alert_integration = found  # type: ignore[attr-defined]
        raise Refused(status, ["key: this key was rotated and its overlap has ended; use the new key"], "Wrong key")
    if found is None:
        raise Refused(status, ["key: no integration has this key"], "Wrong key")
    request.alert_integration = found  # type: ignore[attr-defined]
    return found


def _parse(parser: Callable[[Any], Any], body: Any) -> Any:
    try:
        return parser(body)
    except PayloadError as error:
        raise Refused(400, error.errors) from None


def _processed(results: list[Processed], message: str = "Events processed") -> JsonResponse:
    alerts = [{"dedup_key": r.dedup_key, "outcome": r.outcome.value, "group": r.group_id} for r in results]
    return JsonResponse({"status": "success", "message": message, "alerts": alerts}, status=202)


@intake
def alertmanager(request: HttpRequest, key: str | None = None) -> HttpResponse:
    if key is None:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Refused(401, ["Authorization: send the integration key as Authorization: Bearer KEY"], "Wrong key")
        integration = integration_for(request, token.strip(), status=401)
    else:
        integration = integration_for(request, key)
    events: list[AlertEvent] = _parse(parse_alertmanager, read_json(request))
    return _processed(ingest(integration, events))


_ROUTING_KEY = re.compile(rb'"routing_key"\s*:\s*"([a-z0-9]{32})"')


def _sender(request: HttpRequest) -> None:
    """The integration a PagerDuty body is meant for, found before parsing, so even a body too large or malformed to
    read is counted on the integration that sent it."""
    found = _ROUTING_KEY.search(request.body)
    request.alert_integration = integrations.find_by_key(found.group(1).decode())[0] if found else None  # type: ignore[attr-defined]


@intake
def pagerduty_enqueue(request: HttpRequest) -> HttpResponse:
    _sender(request)
    body = read_json(request)
    routing_key, event = _parse(parse_pagerduty, body)
    integration = integration_for(request, routing_key, status=400)
    [result] = ingest(integration, [event])
    return JsonResponse({"status": "success", "message": "Event processed", "dedup_key": result.dedup_key}, status=202)


@intake
def pagerduty_change(request: HttpRequest) -> HttpResponse:
    _sender(request)
    body = read_json(request)
    routing_key, summary, links, details = _parse(parse_change_event, body)
    integration = integration_for(request, routing_key, status=400)
    groups.change_event(integration, summary, [link.href for link in links], details)
    return JsonResponse({"status": "success", "message": "Change event processed"}, status=202)


@intake
def generic(request: HttpRequest, key: str) -> HttpResponse:
    integration = integration_for(request, key)
    return _processed(ingest(integration, [_parse(parse_generic, read_json(request))]))


@intake
def heartbeat(request: HttpRequest, key: str) -> HttpResponse:
    integration = integration_for(request, key)
    if integration.kind != Kind.HEARTBEAT:
        raise Refused(400, [f"key: this is a {integration.kind} integration, not a heartbeat"], "Wrong key")
    return _processed(groups.heartbeat(integration), "Heartbeat received")


@intake
def amazon_sns(request: HttpRequest, key: str) -> HttpResponse:
    integration = integration_for(request, key)
    message = read_json(request)
    try:
        kind = sns.verify(message)
        if kind == "SubscriptionConfirmation":
            sns.confirm(message)
            return JsonResponse({"status": "success", "message": "Subscription confirmed"}, status=200)
        if kind != "Notification":
            return JsonResponse({"status": "success", "message": f"{kind} noted"}, status=200)
        alarm = json.loads(message["Message"])
    except sns.Unreachable as error:
        # Amazon's certificate or confirmation URL did not answer: SNS retries on 5xx, and a retry may get through.
        return _refusal(Refused(502, [str(error)], "Try again", **{"Retry-After": "30"}))
    except sns.Forged as error:
        raise Refused(403, [str(error)], "Signature refused") from None
    except (ValueError, TypeError):
        raise Refused(400, ["Message: is not a CloudWatch alarm (expected JSON)"]) from None
    event = _parse(parse_cloudwatch, alarm)
    return _processed(ingest(integration, [event] if event else []))

"""The address of the person making a request, as rate limits and sign-in throttling must see it.

Behind the recommended TLS-terminating proxy REMOTE_ADDR is the proxy's own address, one for the whole internet.
With BEHIND_PROXY set, the address comes from X-Forwarded-For, counted from the right: each trusted proxy appends
the address it saw, and everything to the left of those entries is the client's to forge.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str | None:
    remote = _address(request.META.get("REMOTE_ADDR") or "")
    if not getattr(settings, "BEHIND_PROXY", False):
        return remote
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    trusted = max(1, int(getattr(settings, "TRUSTED_PROXY_COUNT", 1)))
    if len(hops) < trusted:
        return remote
    return _address(hops[-trusted]) or remote

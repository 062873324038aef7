"""A JSON POST with failures sorted into worth-retrying and not, shared by the webhook-style channels.

The request goes to the address that was checked (see endpoints.py) and never follows a redirect. Errors never
repeat the URL: for Slack and Teams webhooks the URL is the credential.
"""

from __future__ import annotations

import json
import os
import threading
from typing import Any

import certifi
import urllib3
from django.conf import settings

from watchkeeper.notifications.channels import Permanent, Transient, classify_status
from watchkeeper.notifications.channels.endpoints import (
    Endpoint,
    Refused,
    Unresolvable,
    channels_allow_private,
    resolve,
)

# Connections stay open between sends, one pool per checked address and TLS name. A worker sends many messages to
# the same few receivers, and a new connection (for https a TLS handshake) cost more than the request itself. Per
# process: a forked child must not share its parent's sockets. Bounded: the least recently used pool is closed.
POOLS = 64
_managers: dict[tuple[int, str], urllib3.PoolManager] = {}
_managers_lock = threading.Lock()


def _manager() -> urllib3.PoolManager:
    ca_bundle = getattr(settings, "WATCHKEEPER_CA_BUNDLE", "") or certifi.where()
    key = (os.getpid(), ca_bundle)
    with _managers_lock:
        manager = _managers.get(key)
        if manager is None:
            # As many idle connections per receiver as a worker has sending threads: none is opened only to be
            # thrown away after one request.
            size = int(settings.NOTIFICATIONS["CONCURRENCY"])
            manager = urllib3.PoolManager(
                num_pools=POOLS, maxsize=max(1, size), retries=False, cert_reqs="CERT_REQUIRED", ca_certs=ca_bundle
            )
            _managers[key] = manager
    return manager


def _pool(endpoint: Endpoint) -> urllib3.HTTPConnectionPool:
    if endpoint.scheme == "http":
        return _manager().connection_from_host(endpoint.address, endpoint.port, "http")
    # Connect to the checked address, but speak TLS to the name: SNI and the certificate check use the host.
    tls_name = {"server_hostname": endpoint.host, "assert_hostname": endpoint.host}
    return _manager().connection_from_host(endpoint.address, endpoint.port, "https", pool_kwargs=tls_name)


def post_to(endpoint: Endpoint, data: bytes, timeout: float, headers: dict[str, str]) -> str:
    try:
        response = _pool(endpoint).urlopen(
            "POST",
            endpoint.path,
            body=data,
            headers={"Host": endpoint.host_header, "Content-Type": "application/json", **headers},
            redirect=False,
            retries=False,
            assert_same_host=False,
            timeout=urllib3.Timeout(connect=timeout, read=timeout),
        )
    except urllib3.exceptions.TimeoutError:
        raise Transient(f"timed out after {timeout:g} seconds") from None
    except urllib3.exceptions.SSLError as error:
        raise Transient(f"TLS failed: {type(error.__context__ or error).__name__}") from None
    except (urllib3.exceptions.HTTPError, OSError) as error:
        raise Transient(f"could not connect: {type(error).__name__}") from None
    text = response.data.decode("utf-8", "replace")
    if 300 <= response.status < 400:
        raise Permanent(f"HTTP {response.status}: redirects are not followed")
    classify_status(response.status, text, response.headers.get("Retry-After"))
    return text


def post_json(
    url: str,
    body: dict[str, Any] | bytes,
    timeout: float,
    headers: dict[str, str] | None = None,
    *,
    allow_private: bool | None = None,
) -> str:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    try:
        endpoint = resolve(url, allow_private=channels_allow_private() if allow_private is None else allow_private)
    except Unresolvable as error:
        raise Transient(str(error)) from None
    except Refused as error:
        raise Permanent(str(error)) from None
    return post_to(endpoint, data, timeout, headers or {})

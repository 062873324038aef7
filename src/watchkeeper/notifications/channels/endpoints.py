"""Where outgoing HTTP may go, and the one address it then goes to.

A URL is resolved once: the addresses are checked (on the public internet unless private ones are explicitly
allowed) and the request then connects to the checked address, with the host name kept for the Host header,
TLS SNI and certificate checks. Resolving again to connect would let a name rebind to 169.254.169.254 or
127.0.0.1 between the check and the call, and following a redirect would skip the check altogether.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

DEFAULT_PORTS = {"http": 80, "https": 443}


class Refused(ValueError):
    """The URL may not be called; the message says why in words fit for a form error."""


class Unresolvable(Refused):
    """The name did not resolve: at send time that may clear up, so it is worth retrying."""


@dataclass(frozen=True)
class Endpoint:
    scheme: str
    host: str  # the name as written in the URL: Host header, SNI and certificate checks use it
    port: int
    path: str  # path and query, as sent in the request line
    address: str  # the checked IP address the connection goes to

    @property
    def host_header(self) -> str:
        name = f"[{self.host}]" if ":" in self.host else self.host
        return name if self.port == DEFAULT_PORTS[self.scheme] else f"{name}:{self.port}"


def channels_allow_private() -> bool:
    """Channels may call private addresses only where an admin set WATCHKEEPER_ALLOW_PRIVATE_ENDPOINTS."""
    return bool(getattr(settings, "WATCHKEEPER_ALLOW_PRIVATE_ENDPOINTS", False))


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve(url: str, *, allow_private: bool) -> Endpoint:
    """The endpoint to connect to, or Refused: https only (plain http too where private addresses are allowed)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise Refused("Enter a full address, like https://example.com/hooks/status") from None
    if parts.scheme != "https" and not (allow_private and parts.scheme == "http"):
        raise Refused("Enter an address starting with https://")
    if not parts.hostname:
        raise Refused("Enter a full address, like https://example.com/hooks/status")
    port = port or DEFAULT_PORTS[parts.scheme]
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise Unresolvable(f"{parts.hostname} could not be found") from None
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise Unresolvable(f"{parts.hostname} could not be found")
    # Every address must pass, not just the first: the connection must not be able to land on a private one.
    if not allow_private and not all(_is_public(a) for a in addresses):
        raise Refused("Enter an address on the public internet")
    path = parts.path or "/"
    return Endpoint(parts.scheme, parts.hostname, port, path + (f"?{parts.query}" if parts.query else ""), addresses[0])

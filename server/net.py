"""The client's address, trusting X-Forwarded-For only from configured proxies."""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.requests import Request

    from taskflow_core.settings import IPNetwork


def client_address(request: Request, trusted_proxies: list[IPNetwork]) -> str:
    """The socket peer, or, when the peer is a trusted proxy, the first untrusted hop.

    X-Forwarded-For is read right to left and only through trusted proxies, so a client
    cannot pick its own address (and budget) by sending the header itself.
    """
    peer = request.client.host if request.client else "unknown"
    if not trusted_proxies or not _is_trusted(peer, trusted_proxies):
        return peer
    hops = [hop.strip() for hop in request.headers.get("x-forwarded-for", "").split(",")]
    for hop in reversed([hop for hop in hops if hop]):
        if not _is_trusted(hop, trusted_proxies):
            return hop
    return peer


def _is_trusted(address: str, trusted_proxies: list[IPNetwork]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted_proxies)

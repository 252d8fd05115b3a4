"""The client's address behind a reverse proxy, trusting forwarded headers only from known proxies.

Behind nginx every request arrives from 127.0.0.1; taking that as the client would make one
user's five wrong passwords lock the account for everybody (django-axes locks username + IP).
`X-Forwarded-For` is believed only when the direct peer is a trusted proxy
(`XIACHEN_TRUSTED_PROXIES`), and then only the hops the trusted proxies appended: walking the
header from the right, the first address that is not itself a trusted proxy is the client. A
client cannot spoof its address by sending its own header, because nginx overwrites it
(deploy/nginx: `proxy_set_header X-Forwarded-For $remote_addr`) and an untrusted peer's header is
ignored.
"""

from functools import lru_cache
from ipaddress import ip_address, ip_network

from django.conf import settings
from django.http import HttpRequest


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]):
    return tuple(ip_network(item.strip(), strict=False) for item in spec if item.strip())


def _is_trusted(address: str) -> bool:
    try:
        parsed = ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in _networks(tuple(settings.XIACHEN_TRUSTED_PROXIES)))


def _valid(address: str) -> bool:
    try:
        ip_address(address)
    except ValueError:
        return False
    return True


def client_ip(request: HttpRequest) -> str:
    """The address of the client that sent `request` (never empty: "0.0.0.0" if unknown)."""
    peer = request.META.get("REMOTE_ADDR") or "0.0.0.0"  # noqa: S104 — an address, not a bind
    if not _is_trusted(peer):
        return peer
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _valid(hop):
            break  # a malformed entry: what lies left of it cannot be trusted either
        if not _is_trusted(hop):
            return hop
    return peer

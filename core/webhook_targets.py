"""Where webhooks may go: public http(s) URLs only, so a partner URL cannot reach inside.

Without this guard anyone who can add an endpoint could make TradeQL POST to the database
host, the cloud metadata service or an admin port on localhost. URLs are checked when an
endpoint is added, and every delivery resolves the host again, refuses private, loopback,
link-local, multicast, reserved and unspecified addresses, and connects to the address it
checked (so a DNS answer that changes between check and connect cannot slip through).
`WEBHOOK_ALLOW_PRIVATE_TARGETS` lifts the address rule, for tests and closed networks.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

MAX_URL_LENGTH = 2_000
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class TargetRefused(ValueError):
    """A URL or address webhooks may not be sent to; the message says why, without secrets."""


class TargetUnresolved(ConnectionError):
    """The host has no address right now; a later attempt may succeed."""


def is_forbidden_address(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        # ::ffff:127.0.0.1 is 127.0.0.1; Python 3.11 does not call it loopback itself.
        address = address.ipv4_mapped
    return (
        not address.is_global
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def check_target_url(url: str, *, allow_private: bool, require_https: bool) -> str:
    """The URL if an endpoint may use it; else TargetRefused naming the problem."""
    if len(url) > MAX_URL_LENGTH:
        raise TargetRefused(f"URL is longer than {MAX_URL_LENGTH} characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise TargetRefused(f"not a valid URL: {error}") from None
    allowed_schemes = {"https"} if require_https else {"http", "https"}
    if parts.scheme not in allowed_schemes:
        raise TargetRefused(
            "URL must start with " + " or ".join(f"{s}://" for s in sorted(allowed_schemes))
        )
    if not parts.hostname:
        raise TargetRefused("URL has no host")
    if parts.username is not None or parts.password is not None:
        # Credentials in the URL would be stored and listed in clear; the signature
        # is how partners authenticate us.
        raise TargetRefused("URL must not contain a user name or password")
    if port == 0:
        raise TargetRefused("URL has port 0")
    if not allow_private:
        literal = _ip_literal(parts.hostname)
        if parts.hostname == "localhost" or parts.hostname.endswith(".localhost"):
            raise TargetRefused("URL points at localhost, which is not allowed")
        if literal is not None and is_forbidden_address(literal):
            raise TargetRefused(f"URL points at {literal}, a private or reserved address")
    return url


def _ip_literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


async def resolve_target(host: str, port: int, *, allow_private: bool) -> list[IPAddress]:
    """The addresses to try for `host`, in the resolver's order of preference.

    TargetRefused if *any* of them is forbidden, not just the first: a host that answers
    with both a public and an internal address must not reach the internal one.
    """
    literal = _ip_literal(host)
    if literal is not None:
        addresses = [literal]
    else:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM
            )
        except socket.gaierror as error:
            raise TargetUnresolved(f"cannot resolve {host}: {error.strerror}") from None
        addresses = list(
            dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos)
        )
        if not addresses:
            raise TargetUnresolved(f"{host} has no address")
    if not allow_private:
        for address in addresses:
            if is_forbidden_address(address):
                raise TargetRefused(f"{host} resolves to {address}, a private or reserved address")
    return addresses

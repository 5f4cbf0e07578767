"""One HTTP attempt of a webhook: to a checked address, within a deadline, no redirects.

The outcome is data (status, duration, error) rather than an exception, because every
attempt is recorded, whatever happened.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import datetime

import httpx

from core.outbox import utcnow
from core.webhook_targets import IPAddress, TargetRefused, TargetUnresolved, resolve_target

USER_AGENT = "TradeQL-Webhooks/1.0"
MAX_LOCATION_SHOWN = 200


@dataclass(frozen=True)
class AttemptOutcome:
    attempted_at: datetime
    duration_ms: int
    response_status: int | None
    error: str | None

    @property
    def success(self) -> bool:
        return self.response_status is not None and 200 <= self.response_status < 300


async def post_webhook(
    http: httpx.AsyncClient,
    url: str,
    *,
    body: bytes,
    headers: dict[str, str],
    timeout_seconds: float,
    allow_private: bool,
) -> AttemptOutcome:
    """POST `body`; the whole attempt, DNS included, ends within `timeout_seconds`."""
    attempted_at = utcnow()
    started = time.perf_counter()
    status: int | None = None
    error: str | None = None
    try:
        async with asyncio.timeout(timeout_seconds):
            status, error = await _send(
                http, url, body=body, headers=headers, allow_private=allow_private
            )
    except (TargetRefused, TargetUnresolved) as refusal:
        error = str(refusal)
    except (TimeoutError, httpx.TimeoutException):
        error = f"no response within {timeout_seconds:g}s"
    except httpx.HTTPError as failure:
        error = f"{type(failure).__name__}: {failure}" if str(failure) else type(failure).__name__
    duration_ms = max(0, round((time.perf_counter() - started) * 1000))
    return AttemptOutcome(attempted_at, duration_ms, status, error)


async def _send(
    http: httpx.AsyncClient,
    url: str,
    *,
    body: bytes,
    headers: dict[str, str],
    allow_private: bool,
) -> tuple[int, str | None]:
    target = httpx.URL(url)
    host = target.raw_host.decode("ascii")
    port = target.port or (443 if target.scheme == "https" else 80)
    addresses = await resolve_target(host, port, allow_private=allow_private)
    request_headers = {
        **headers,
        "host": target.netloc.decode("ascii"),
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        # Keeps the pool from reusing this connection for another host on the same address.
        "connection": "close",
    }
    # Connect to an address just checked, while TLS (SNI and the certificate check) and the
    # Host header still name the partner's host. The next address is tried only when one
    # refuses the connection, so nothing is ever sent twice from here.
    for address in addresses[:-1]:
        try:
            return await _post_to(http, target, address, body=body, headers=request_headers)
        except httpx.ConnectError:
            continue
    return await _post_to(http, target, addresses[-1], body=body, headers=request_headers)


async def _post_to(
    http: httpx.AsyncClient,
    target: httpx.URL,
    address: IPAddress,
    *,
    body: bytes,
    headers: dict[str, str],
) -> tuple[int, str | None]:
    async with http.stream(
        "POST",
        target.copy_with(host=str(address)),
        content=body,
        headers=headers,
        extensions={"sni_hostname": target.raw_host.decode("ascii")}
        if target.scheme == "https"
        else {},
        follow_redirects=False,
    ) as response:
        # The body is never read: nothing in it matters, and a large one costs memory.
        status = response.status_code
        location = response.headers.get("location", "")
    if 200 <= status < 300:
        return status, None
    if 300 <= status < 400:
        return status, f"HTTP {status}: redirect to {location[:MAX_LOCATION_SHOWN]!r} not followed"
    return status, f"HTTP {status}"

"""Where a request came from, as recorded with sessions, throttles and audit rows."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Origin:
    request_id: str = ""
    # The peer address, or the client named by a trusted proxy (uvicorn applies
    # TRUSTED_PROXIES before the request reaches us); never a header taken on trust.
    client_ip: str = ""
    user_agent: str = ""

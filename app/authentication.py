"""From `Authorization: Bearer ...` to a principal: a session's user, an API key, or nobody.

A request without credentials is anonymous. A request with credentials that do not resolve
(unknown, expired, revoked) is refused with 401, so a client knows to refresh or log in
again rather than silently seeing the anonymous view.
"""

from __future__ import annotations

from starlette.requests import Request

from auth import tokens
from auth.api_keys import resolve_api_key
from auth.principal import ANONYMOUS, Principal
from auth.sessions import resolve_access_token
from core.db import Database
from core.settings import Settings

MAX_TOKEN_LENGTH = 200


class CredentialsRejected(Exception):
    pass


async def authenticate(request: Request, database: Database, settings: Settings) -> Principal:
    header = request.headers.get("authorization")
    if header is None:
        return ANONYMOUS
    scheme, _, credentials = header.partition(" ")
    credentials = credentials.strip()
    if scheme.lower() != "bearer" or not credentials or len(credentials) > MAX_TOKEN_LENGTH:
        raise CredentialsRejected
    principal: Principal | None = None
    if credentials.startswith(tokens.ACCESS):
        principal = await resolve_access_token(database, credentials, settings)
    elif credentials.startswith(tokens.API_KEY):
        principal = await resolve_api_key(database, credentials)
    if principal is None:
        raise CredentialsRejected
    return principal


def client_ip(request: Request) -> str:
    """The peer address; uvicorn has already applied X-Forwarded-For from trusted proxies."""
    return request.client.host if request.client else ""

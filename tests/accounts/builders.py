"""Builders and a client for account tests: TOTP factors, codes at a moment, GraphQL calls."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import httpx
import pyotp
from sqlalchemy.ext.asyncio import AsyncSession

from app.factory import create_app
from auth import totp
from core.crypto import DataCipher
from core.db import Database
from core.settings import Settings
from models.accounts import User


async def give_totp(session: AsyncSession, user: User, settings: Settings) -> str:
    """Confirm a TOTP factor for `user` and return its secret."""
    assert user.id is not None
    secret = totp.new_secret()
    user.totp_secret_ciphertext = totp.seal_secret(DataCipher(settings.data_key), user.id, secret)
    user.totp_confirmed_at = datetime.now(UTC)
    user.totp_last_step = None
    await session.flush()
    return secret


def code_at(secret: str, moment: float | None = None) -> str:
    return pyotp.TOTP(secret).at(int(time.time() if moment is None else moment))


class Api:
    """Posts GraphQL documents, with a bearer token when given."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def response(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        sent = dict(headers or {})
        if token is not None:
            sent["authorization"] = f"Bearer {token}"
        return await self.http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=sent
        )

    async def post(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        response = await self.response(query, variables, token=token, headers=headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def data(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> dict[str, Any]:
        body = await self.post(query, variables, token=token)
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data


@asynccontextmanager
async def account_api(settings: Settings, database: Database) -> AsyncIterator[Api]:
    """The app over in-process HTTP. On PostgreSQL its lifespan runs, which closes the Redis
    connections the throttles open; on SQLite it would start the embedded worker on the
    test's one connection, so there the settings must do without Redis instead."""
    app = create_app(settings, database)
    transport = httpx.ASGITransport(app=app)
    async with AsyncExitStack() as stack:
        if database.is_sqlite:
            assert settings.redis_url is None, "on SQLite, test without Redis"
        else:
            await stack.enter_async_context(app.router.lifespan_context(app))
        http = await stack.enter_async_context(
            httpx.AsyncClient(transport=transport, base_url="http://tradeql.test")
        )
        yield Api(http)


def error_codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


LOGIN = """
mutation($email: String!, $password: String!) {
  login(email: $email, password: $password) {
    result {
      __typename
      ... on SessionTokens { accessToken refreshToken accessTokenExpiresAt mfaSetupRequired }
      ... on MfaRequired { challenge expiresAt }
    }
    userErrors { field code message }
    retryAfterSeconds
  }
}
"""

VERIFY_MFA = """
mutation($challenge: String!, $code: String, $recoveryCode: String) {
  verifyMfa(challenge: $challenge, code: $code, recoveryCode: $recoveryCode) {
    session { accessToken refreshToken }
    userErrors { field code message }
    retryAfterSeconds
  }
}
"""

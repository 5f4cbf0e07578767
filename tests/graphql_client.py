"""How tests call the API: GraphQL over in-process HTTP, as a client would, as someone or not.

`graphql_client(settings, database)` serves the app and yields a `GraphQLClient`; tests that
need the app itself (its cache, or calls from two addresses) use `served` and `calling`.
"""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from starlette.applications import Starlette

from app.factory import create_app
from core.db import Database
from core.kv import close as close_stores
from core.settings import Settings


class GraphQLClient:
    """Posts GraphQL documents with one set of credentials: a bearer token, or none."""

    def __init__(self, http: httpx.AsyncClient, token: str | None = None) -> None:
        self.http = http
        self.token = token

    def as_(self, token: str | None) -> GraphQLClient:
        """The same client calling with `token` (None: anonymously)."""
        other = copy.copy(self)
        other.token = token
        return other

    async def response(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """The HTTP response, whatever its status."""
        sent = {} if self.token is None else {"authorization": f"Bearer {self.token}"}
        # ASCII-escaped JSON, as most clients send it: a lone surrogate travels as \ud800.
        body = json.dumps({"query": query, "variables": variables}).encode()
        return await self.http.post(
            "/graphql",
            content=body,
            headers={"content-type": "application/json", **sent, **(headers or {})},
        )

    async def post_with_extensions(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """The whole body of a 200 response, with the debug `extensions` (SQL statements
        sent, duration) when the settings turn them on."""
        response = await self.response(query, variables, headers=headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def post(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """`data` and `errors` of a 200 response: comparable between calls, as the debug
        `extensions` are left out."""
        body = await self.post_with_extensions(query, variables, headers=headers)
        body.pop("extensions", None)
        return body

    async def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The `data` of a response that must have no errors."""
        body = await self.post(query, variables)
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data


@asynccontextmanager
async def graphql_client(
    settings: Settings, database: Database, *, client_ip: str = "127.0.0.1"
) -> AsyncIterator[GraphQLClient]:
    """The app on `database`, called anonymously from `client_ip`; `.as_(token)` for someone."""
    async with served(settings, database) as app, calling(app, client_ip) as client:
        yield client


@asynccontextmanager
async def served(settings: Settings, database: Database) -> AsyncIterator[Starlette]:
    """The app, shut down afterwards as its lifespan would (ASGITransport does not run it).

    The lifespan itself is not run: on SQLite it would start the embedded worker on the
    test's one connection. Shutting down runs a scheduled stock invalidation and closes the
    Redis client that throttles and cache versions open.
    """
    app = create_app(settings, database)
    try:
        yield app
    finally:
        await app.state.stock_bump.flush()
        await close_stores(app.state.stores)


@asynccontextmanager
async def calling(app: Starlette, client_ip: str = "127.0.0.1") -> AsyncIterator[GraphQLClient]:
    """Anonymous calls to `app` from `client_ip`."""
    transport = httpx.ASGITransport(app=app, client=(client_ip, 4321))
    async with httpx.AsyncClient(transport=transport, base_url="http://tradeql.test") as http:
        yield GraphQLClient(http)

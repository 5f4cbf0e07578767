"""Calling the app over in-process HTTP as someone: a user's session, an API key, or nobody."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette

from app.factory import create_app
from auth.principal import Principal
from auth.sessions import resolve_access_token
from core.cache import InMemoryCache
from core.db import Database
from core.kv import KeyValueStores
from core.kv import close as close_stores
from core.rate_limit import InMemoryRateLimiter
from core.settings import Settings
from models.accounts import Role
from models.clients import ClientCompany, ClientContact
from resolvers.context import Context
from tests.user_builders import make_user, session_for


class Caller:
    """Posts GraphQL documents with one set of credentials (none for anonymous)."""

    def __init__(self, http: httpx.AsyncClient, token: str | None = None) -> None:
        self.http = http
        self.token = token

    def as_(self, token: str | None) -> Caller:
        return Caller(self.http, token)

    async def response(self, query: str, variables: dict[str, Any] | None = None) -> httpx.Response:
        headers = {} if self.token is None else {"authorization": f"Bearer {self.token}"}
        return await self.http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )

    async def post(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """`data` and `errors` of a response (debug `extensions` left out, to compare bodies)."""
        response = await self.response(query, variables)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        body.pop("extensions", None)
        return body

    async def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The `data` of a response that must have no errors."""
        body = await self.post(query, variables)
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data


@asynccontextmanager
async def caller(settings: Settings, database: Database) -> AsyncIterator[Caller]:
    """The app over in-process HTTP, shut down afterwards as its lifespan would (which
    ASGITransport does not run): a scheduled stock invalidation runs, the Redis client
    (opened by a write that bumps the catalog version) is closed."""
    app = create_app(settings, database)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://tradeql.test") as http:
            yield Caller(http)
    finally:
        await shut_down(app)


async def shut_down(app: Starlette) -> None:
    """What the app's lifespan does on shutdown, for apps served through ASGITransport."""
    await app.state.stock_bump.flush()
    await close_stores(app.state.stores)


def error_codes(body: dict[str, Any]) -> list[tuple[str, str]]:
    """(path, code) of every error of a response, paths joined with dots."""
    return [
        (".".join(map(str, error.get("path") or [])), error["extensions"]["code"])
        for error in body.get("errors", [])
    ]


async def principal_of(database: Database, settings: Settings, token: str) -> Principal:
    principal = await resolve_access_token(database, token, settings)
    assert principal is not None
    return principal


def context_for(database: Database, settings: Settings, principal: Principal) -> Context:
    """A request context, for calling resolvers directly, past the GraphQL layer."""
    stores = KeyValueStores(InMemoryCache(), InMemoryRateLimiter(), None)
    return Context.for_request(
        request_id="test", settings=settings, database=database, stores=stores, principal=principal
    )


async def token_for(
    session: AsyncSession,
    settings: Settings,
    role: Role,
    *,
    company: ClientCompany | None = None,
    mfa: bool | None = None,
) -> str:
    """An access token of a new user of `role` (staff with MFA verified unless `mfa=False`)."""
    user = await make_user(session, role, company=company, mfa=mfa)
    return (await session_for(session, user, settings)).access_token


async def make_client_company(
    session: AsyncSession, *, name: str = "Hanse Textil GmbH", **fields: Any
) -> ClientCompany:
    """A company with every restricted field set, so a leak of any of them shows."""
    company = ClientCompany(
        name=name,
        country=fields.pop("country", "DE"),
        tax_id=fields.pop("tax_id", "DE811907980"),
        credit_limit=fields.pop("credit_limit", Decimal("50000.00")),
        credit_currency=fields.pop("credit_currency", "EUR"),
        advance_percent=fields.pop("advance_percent", 30),
        net_days=fields.pop("net_days", 60),
        **fields,
    )
    session.add(company)
    await session.flush()
    await session.refresh(company)
    return company


async def make_contact(
    session: AsyncSession, company: ClientCompany, *, name: str = "Jana Weber"
) -> ClientContact:
    assert company.id is not None
    contact = ClientContact(
        company_id=company.id, name=name, email="jana@hanse.example", phone="+49 40 1234"
    )
    session.add(contact)
    await session.flush()
    return contact

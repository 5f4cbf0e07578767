"""Who calls the app: tokens of users of each role, their companies, and request contexts for
calling resolvers directly; what came back: the error codes of a response."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from auth.principal import Principal
from auth.sessions import resolve_access_token
from core.cache import InMemoryCache
from core.db import Database
from core.kv import KeyValueStores
from core.rate_limit import InMemoryRateLimiter
from core.settings import Settings
from models.accounts import Role
from models.clients import ClientCompany, ClientContact
from resolvers.context import Context
from tests.user_builders import make_user, session_for


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

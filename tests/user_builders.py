"""Builders for people: users of each role, companies, sessions to act as them."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from functools import lru_cache

from sqlalchemy.ext.asyncio import AsyncSession

from auth.passwords import HASHER
from auth.sessions import IssuedSession, issue_session
from core.settings import Settings
from models.accounts import Role, User
from models.clients import ClientCompany

PASSWORD = "correct horse battery staple"
_sequence = itertools.count(1)


@lru_cache(maxsize=1)
def password_hash() -> str:
    """Hashing costs ~150 ms; every test user shares one hash of PASSWORD."""
    return HASHER.hash(PASSWORD)


async def make_company(session: AsyncSession, *, name: str | None = None) -> ClientCompany:
    company = ClientCompany(name=name or f"Buyer {next(_sequence)} GmbH", country="DE")
    session.add(company)
    await session.flush()
    return company


async def make_user(
    session: AsyncSession,
    role: Role,
    *,
    email: str | None = None,
    company: ClientCompany | None = None,
    mfa: bool | None = None,
    disabled: bool = False,
) -> User:
    """A user with PASSWORD; staff have MFA confirmed unless `mfa=False`."""
    if role is Role.CLIENT and company is None:
        company = await make_company(session)
    now = datetime.now(UTC)
    with_mfa = role is not Role.CLIENT if mfa is None else mfa
    user = User(
        email=email or f"user{next(_sequence)}@example.com",
        role=role,
        client_company_id=company.id if company is not None else None,
        password_hash=password_hash(),
        totp_confirmed_at=now if with_mfa else None,
        disabled_at=now if disabled else None,
    )
    session.add(user)
    await session.flush()
    return user


async def session_for(
    session: AsyncSession, user: User, settings: Settings, *, mfa_verified: bool | None = None
) -> IssuedSession:
    verified = user.has_mfa if mfa_verified is None else mfa_verified
    return await issue_session(session, user, settings=settings, mfa_verified=verified)

"""Signing in and out: login, the MFA step, refresh, logout, ending one named session, and what a
user sees of it all.

Login and MFA outcomes are committed whether they succeed or not: a failure's audit row
stays, as does a reused refresh token's revocation of its family.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select

from auth import login as login_flow
from auth import session_admin
from auth.login import LoginOutcome
from auth.second_factor import one_factor_given
from auth.sessions import (
    RefreshOutcome,
    active_sessions,
    refresh_session,
    revoke_all_sessions,
    revoke_session,
)
from core.global_id import decode_typed_id
from core.outcomes import WriteResult
from models.accounts import User, UserSession
from resolvers.accounts.support import origin_of, own_user_id
from resolvers.context import Context
from resolvers.outcomes import refusable


async def login(ctx: Context, *, email: str, password: str) -> LoginOutcome:
    async with ctx.database.transaction() as db:
        return await login_flow.log_in(
            db,
            email=email,
            password=password,
            settings=ctx.settings,
            limiter=ctx.rate_limiter,
            origin=origin_of(ctx),
        )


async def verify_mfa(
    ctx: Context, *, challenge: str, code: str | None, recovery_code: str | None
) -> LoginOutcome:
    problem = one_factor_given(code, recovery_code)
    if problem is not None:
        return LoginOutcome(problem=problem)
    async with ctx.database.transaction() as db:
        return await login_flow.complete_mfa(
            db,
            challenge_token=challenge,
            code=code,
            recovery_code=recovery_code,
            settings=ctx.settings,
            limiter=ctx.rate_limiter,
            origin=origin_of(ctx),
        )


async def refresh(ctx: Context, *, refresh_token: str) -> RefreshOutcome:
    origin = origin_of(ctx)
    async with ctx.database.transaction() as db:
        return await refresh_session(
            db,
            refresh_token,
            settings=ctx.settings,
            client_ip=origin.client_ip,
            user_agent=origin.user_agent,
        )


async def logout(ctx: Context) -> int:
    """End the current session (its refresh token too); returns how many rows ended."""
    session_id = ctx.principal.session_id
    assert session_id is not None
    async with ctx.database.transaction() as db:
        ended = await revoke_session(db, user_id=own_user_id(ctx), session_id=session_id)
    return 1 if ended else 0


async def logout_all(ctx: Context) -> int:
    async with ctx.database.transaction() as db:
        return await revoke_all_sessions(db, own_user_id(ctx))


@dataclass(frozen=True)
class SessionListing:
    row: UserSession
    current: bool


async def own_sessions(ctx: Context) -> list[SessionListing]:
    """The caller's live sessions, newest first, the current one marked."""
    async with ctx.database.session() as db:
        rows = await active_sessions(db, own_user_id(ctx))
    return [SessionListing(row=row, current=row.id == ctx.principal.session_id) for row in rows]


async def me(ctx: Context) -> User | None:
    user_id = ctx.principal.user_id
    if user_id is None:
        return None
    return await ctx.session.scalar(select(User).where(col(User.id) == user_id))


async def end_session(ctx: Context, *, session_id: str, own_only: bool) -> WriteResult[UserSession]:
    """End a live session: any user's (`users:manage`, checked by the schema) or one's own."""
    pk = decode_typed_id(session_id, "Session", argument="sessionId")
    return await refusable(
        ctx,
        lambda db: session_admin.end_session(
            db, session_id=pk, actor=ctx.principal, origin=origin_of(ctx), own_only=own_only
        ),
    )

"""One's own TOTP factor: enrol, confirm, new recovery codes, turn it off."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from auth import mfa
from auth.mfa import MfaRequest, TotpEnrolment
from core.outcomes import WriteResult
from models.accounts import User
from resolvers.accounts.support import origin_of, own_user_id
from resolvers.context import Context
from resolvers.outcomes import refusable

T = TypeVar("T")


async def _as_self(
    ctx: Context, action: Callable[[AsyncSession, MfaRequest], Awaitable[T]]
) -> WriteResult[T]:
    async def work(db: AsyncSession) -> T:
        user = await db.get(User, own_user_id(ctx))
        assert user is not None
        request = MfaRequest(
            user=user,
            actor=ctx.principal,
            origin=origin_of(ctx),
            settings=ctx.settings,
            limiter=ctx.rate_limiter,
        )
        return await action(db, request)

    return await refusable(ctx, work)


async def enrol_totp(ctx: Context) -> WriteResult[TotpEnrolment]:
    return await _as_self(ctx, mfa.enrol_totp)


async def confirm_totp(ctx: Context, *, code: str) -> WriteResult[list[str]]:
    return await _as_self(ctx, lambda db, request: mfa.confirm_totp(db, request, code))


async def regenerate_recovery_codes(
    ctx: Context, *, code: str | None, recovery_code: str | None
) -> WriteResult[list[str]]:
    return await _as_self(
        ctx,
        lambda db, request: mfa.regenerate_recovery_codes(
            db, request, code=code, recovery_code=recovery_code
        ),
    )


async def disable_totp(
    ctx: Context, *, code: str | None, recovery_code: str | None
) -> WriteResult[None]:
    return await _as_self(
        ctx,
        lambda db, request: mfa.disable_totp(db, request, code=code, recovery_code=recovery_code),
    )

"""Choosing and changing passwords: invitations, resets, and changes while signed in.

A new password is checked against the policy and hashed before the write transaction
opens, so no row lock waits on argon2; a link is checked before that, so a made-up token
costs no hashing.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from auth import accounts
from auth.links import usable_link_user
from core.outcomes import Issue, Refused, UserErrorCode, WriteResult, refuse
from models.accounts import TokenPurpose, User
from resolvers.accounts.support import origin_of, own_user_id
from resolvers.context import Context
from resolvers.outcomes import refusable


async def _password_for_link(
    ctx: Context, token: str, purpose: TokenPurpose, password: str, field: str
) -> accounts.NewPassword:
    async with ctx.database.session() as db:
        if await usable_link_user(db, token, purpose) is None:
            raise refuse(
                UserErrorCode.INVALID_TOKEN,
                "The link is unknown, already used or expired; ask for a new one.",
                "token",
            )
    return await accounts.new_password(password, field)


async def accept_invitation(
    ctx: Context, *, token: str, password: str, full_name: str
) -> WriteResult[User]:
    try:
        name = accounts.checked_full_name(full_name, "fullName")
        hashed = await _password_for_link(ctx, token, TokenPurpose.INVITATION, password, "password")
    except Refused as refused:
        return WriteResult(issues=refused.issues)
    return await refusable(
        ctx,
        lambda db: accounts.accept_invitation(
            db, token=token, password=hashed, full_name=name, origin=origin_of(ctx)
        ),
    )


async def reset_password(ctx: Context, *, token: str, new_password: str) -> WriteResult[User]:
    try:
        hashed = await _password_for_link(
            ctx, token, TokenPurpose.PASSWORD_RESET, new_password, "newPassword"
        )
    except Refused as refused:
        return WriteResult(issues=refused.issues)
    return await refusable(
        ctx,
        lambda db: accounts.reset_password(db, token=token, password=hashed, origin=origin_of(ctx)),
    )


async def request_password_reset(ctx: Context, *, email: str) -> Issue | None:
    async with ctx.database.transaction() as db:
        return await accounts.request_password_reset(
            db,
            email=email,
            settings=ctx.settings,
            limiter=ctx.rate_limiter,
            origin=origin_of(ctx),
        )


async def change_password(
    ctx: Context, *, current_password: str, new_password: str
) -> WriteResult[None]:
    async def work(db: AsyncSession) -> None:
        user = await db.get(User, own_user_id(ctx))
        assert user is not None
        await accounts.change_password(
            db,
            user=user,
            actor=ctx.principal,
            current_password=current_password,
            new_password=new_password,
            settings=ctx.settings,
            limiter=ctx.rate_limiter,
            origin=origin_of(ctx),
        )

    return await refusable(ctx, work)

"""Administrators acting on other accounts; the schema checks the permission first."""

from __future__ import annotations

from auth import user_admin
from core.global_id import decode_typed_id
from core.outcomes import WriteResult
from models.accounts import Role, User
from resolvers.accounts.support import origin_of
from resolvers.context import Context
from resolvers.outcomes import refusable

USER_TYPE = "User"
CLIENT_COMPANY_TYPE = "ClientCompany"


async def invite_user(
    ctx: Context,
    *,
    email: str,
    full_name: str,
    role: Role,
    client_company_id: str | None = None,
) -> WriteResult[User]:
    company_id = (
        decode_typed_id(client_company_id, CLIENT_COMPANY_TYPE, argument="clientCompanyId")
        if client_company_id is not None
        else None
    )
    return await refusable(
        ctx,
        lambda db: user_admin.invite_user(
            db,
            email=email,
            full_name=full_name,
            role=role,
            client_company_id=company_id,
            actor=ctx.principal,
            origin=origin_of(ctx),
        ),
    )


async def change_role(ctx: Context, *, user_id: str, role: Role) -> WriteResult[User]:
    pk = decode_typed_id(user_id, USER_TYPE, argument="userId")
    return await refusable(
        ctx,
        lambda db: user_admin.change_role(
            db, user_id=pk, role=role, actor=ctx.principal, origin=origin_of(ctx)
        ),
    )


async def disable_user(ctx: Context, *, user_id: str) -> WriteResult[User]:
    pk = decode_typed_id(user_id, USER_TYPE, argument="userId")
    return await refusable(
        ctx,
        lambda db: user_admin.disable_user(
            db, user_id=pk, actor=ctx.principal, origin=origin_of(ctx)
        ),
    )


async def reset_user_mfa(ctx: Context, *, user_id: str) -> WriteResult[User]:
    pk = decode_typed_id(user_id, USER_TYPE, argument="userId")
    return await refusable(
        ctx,
        lambda db: user_admin.reset_user_mfa(
            db, user_id=pk, actor=ctx.principal, origin=origin_of(ctx)
        ),
    )


async def enable_user(ctx: Context, *, user_id: str) -> WriteResult[User]:
    pk = decode_typed_id(user_id, USER_TYPE, argument="userId")
    return await refusable(
        ctx,
        lambda db: user_admin.enable_user(
            db, user_id=pk, actor=ctx.principal, origin=origin_of(ctx)
        ),
    )

"""What administrators do to other people's accounts: invite, change a role, disable, enable,
reset MFA.

Each change writes one audit row in its transaction, and all but enabling end the target's
sessions; since a session resolves its user's role from the users row on every request, a
demoted or disabled user loses access on the very next request even before that. Refusals
raise `Refused` (the transaction rolls back, no audit row). Nobody changes, disables,
enables or resets their own account here: an admin cannot lock themselves out, and MFA of
one's own is managed with a factor.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from auth.account_audit import CLI_LABEL, record_account_change
from auth.accounts import (
    NewPassword,
    checked_email,
    checked_full_name,
    end_credentials,
    request_link,
)
from auth.audit import changed_fields
from auth.mfa import clear_mfa
from auth.origin import Origin
from auth.principal import Principal
from core.outcomes import Refused, UserErrorCode, refuse
from models.accounts import STAFF_ROLES, USER_ROLES, Role, TokenPurpose, User
from models.clients import ClientCompany


def _email_taken() -> Refused:
    return refuse(UserErrorCode.EMAIL_TAKEN, "already belongs to an account", "email")


async def _company(db: AsyncSession, role: Role, company_id: int | None) -> int | None:
    if role not in USER_ROLES:
        raise refuse(UserErrorCode.ROLE_NOT_ALLOWED, "is not a role users can have", "role")
    if role is not Role.CLIENT:
        return None
    if company_id is None or await db.get(ClientCompany, company_id) is None:
        raise refuse(UserErrorCode.NOT_FOUND, "no such client company", "clientCompanyId")
    return company_id


async def _add_user(db: AsyncSession, user: User) -> User:
    try:
        async with db.begin_nested():
            db.add(user)
            await db.flush()
    except IntegrityError:
        # Someone took the address between our check and our insert.
        raise _email_taken() from None
    return user


async def invite_user(
    db: AsyncSession,
    *,
    email: str,
    full_name: str,
    role: Role,
    client_company_id: int | None,
    actor: Principal,
    origin: Origin,
) -> User:
    """A user without a password, and a mailed link to choose one. Inviting again someone
    who has not accepted yet sends a fresh link (the older one stops working)."""
    address = checked_email(email, "email")
    name = checked_full_name(full_name, "fullName")
    company_id = await _company(db, role, client_company_id)
    user = await db.scalar(select(User).where(col(User.email) == address))
    if user is None:
        user = await _add_user(
            db, User(email=address, full_name=name, role=role, client_company_id=company_id)
        )
    elif (
        user.password_hash is not None
        or user.disabled_at is not None
        or (Role(user.role), user.client_company_id) != (role, company_id)
    ):
        raise _email_taken()
    else:
        user.full_name = name
        await db.flush()
    assert user.id is not None
    await request_link(db, user.id, TokenPurpose.INVITATION, invited_by=actor.user_id)
    await record_account_change(
        db,
        actor=actor,
        origin=origin,
        action="user.invited",
        target_id=user.id,
        changes=changed_fields(
            {}, {"email": address, "role": role, "client_company_id": company_id}
        ),
    )
    return user


async def _other_user(db: AsyncSession, actor: Principal, user_id: int) -> User:
    user = await db.get(User, user_id)
    if user is None:
        raise refuse(UserErrorCode.NOT_FOUND, "no such user", "userId")
    if user.id == actor.user_id:
        raise refuse(
            UserErrorCode.OWN_ACCOUNT, "cannot be your own account; ask another admin", "userId"
        )
    return user


async def change_role(
    db: AsyncSession, *, user_id: int, role: Role, actor: Principal, origin: Origin
) -> User:
    user = await _other_user(db, actor, user_id)
    if role not in STAFF_ROLES or not user.is_staff:
        raise refuse(
            UserErrorCode.ROLE_NOT_ALLOWED,
            "only staff change roles, between staff roles; client users belong to a company",
            "role",
        )
    if user.role == role:
        return user
    before = {"role": Role(user.role)}
    user.role = role
    assert user.id is not None
    await db.flush()
    await end_credentials(db, user.id, keep_family=None)
    await record_account_change(
        db,
        actor=actor,
        origin=origin,
        action="user.role_changed",
        target_id=user.id,
        changes=changed_fields(before, {"role": role}),
    )
    return user


async def disable_user(db: AsyncSession, *, user_id: int, actor: Principal, origin: Origin) -> User:
    user = await _other_user(db, actor, user_id)
    if user.disabled_at is not None:
        return user
    user.disabled_at = datetime.now(UTC)
    assert user.id is not None
    await db.flush()
    await end_credentials(db, user.id, keep_family=None)
    await record_account_change(
        db,
        actor=actor,
        origin=origin,
        action="user.disabled",
        target_id=user.id,
        changes={"disabled": [False, True]},
    )
    return user


async def enable_user(db: AsyncSession, *, user_id: int, actor: Principal, origin: Origin) -> User:
    """Let a disabled user sign in again with their password (their old sessions stay
    ended: disabling revoked them). Enabling an active user changes nothing."""
    user = await _other_user(db, actor, user_id)
    if user.disabled_at is None:
        return user
    user.disabled_at = None
    assert user.id is not None
    await db.flush()
    await record_account_change(
        db,
        actor=actor,
        origin=origin,
        action="user.enabled",
        target_id=user.id,
        changes={"disabled": [True, False]},
    )
    return user


async def reset_user_mfa(
    db: AsyncSession, *, user_id: int, actor: Principal, origin: Origin
) -> User:
    """For a lost phone without recovery codes: the user enrols again at their next login."""
    user = await _other_user(db, actor, user_id)
    if user.totp_secret_ciphertext is None and not user.has_mfa:
        raise refuse(UserErrorCode.MFA_NOT_ENABLED, "has no MFA to reset", "userId")
    was_enabled = user.has_mfa
    await clear_mfa(db, user)
    assert user.id is not None
    await end_credentials(db, user.id, keep_family=None)
    await record_account_change(
        db,
        actor=actor,
        origin=origin,
        action="user.mfa_reset",
        target_id=user.id,
        changes={"mfa_enabled": [was_enabled, False]},
    )
    return user


async def create_user(
    db: AsyncSession,
    *,
    email: str,
    full_name: str,
    role: Role,
    client_company_id: int | None,
    password: NewPassword,
) -> User:
    """`tradeql create-user`: an account with a password, e.g. the first admin."""
    address = checked_email(email, "email")
    company_id = await _company(db, role, client_company_id)
    if await db.scalar(select(User).where(col(User.email) == address)) is not None:
        raise _email_taken()
    user = await _add_user(
        db,
        User(
            email=address,
            full_name=" ".join(full_name.split()),
            role=role,
            client_company_id=company_id,
            password_hash=password.hash,
            password_changed_at=datetime.now(UTC),
        ),
    )
    await record_account_change(
        db,
        actor=None,
        origin=Origin(),
        action="user.created",
        target_id=user.id,
        changes=changed_fields(
            {}, {"email": address, "role": role, "client_company_id": company_id}
        ),
        actor_label=CLI_LABEL,
    )
    return user

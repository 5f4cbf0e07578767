"""Passwords over a user's life: invitations accepted, resets requested and done, changes.

Invitations and resets go out by mail as single-use links. The mutation only emits an
`account.link_requested` event naming the user; the worker mints the token and mails it, so
no plain token is ever written to the database, not even in the outbox. Setting a password
from a link never signs anyone in and never touches MFA: the next login still asks for the
second factor. A reset or a change ends the user's sessions (a change keeps the current one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from auth import throttle
from auth.account_audit import record_account_change
from auth.emails import InvalidEmail, normalise_email
from auth.links import discard_links, use_link
from auth.login import account_of
from auth.origin import Origin
from auth.passwords import (
    PasswordRejected,
    check_password_policy,
    hash_password,
    verify_password,
)
from auth.principal import Principal
from auth.sessions import revoke_all_sessions
from auth.throttle import ThrottleScope
from core.event_types import ACCOUNT_LINK_REQUESTED
from core.outbox import emit
from core.outcomes import Issue, Refused, UserErrorCode, issue, refuse, too_many_requests
from core.rate_limit import RateLimiter
from core.settings import Settings
from models.accounts import MfaChallenge, TokenPurpose, User, UserSession

MAX_FULL_NAME = 200


def checked_email(raw: str, *field: str) -> str:
    try:
        return normalise_email(raw)
    except InvalidEmail:
        raise refuse(UserErrorCode.INVALID_EMAIL, "is not an email address", *field) from None


def checked_password(password: str, *field: str) -> None:
    try:
        check_password_policy(password)
    except PasswordRejected as rejected:
        raise Refused(Issue(field or None, rejected.code, rejected.message)) from None


def checked_full_name(raw: str, *field: str) -> str:
    name = " ".join(raw.split())
    if not name:
        raise refuse(UserErrorCode.REQUIRED, "must not be empty", *field)
    if len(name) > MAX_FULL_NAME:
        raise refuse(UserErrorCode.TOO_LONG, f"must be at most {MAX_FULL_NAME} characters", *field)
    return name


async def request_link(
    db: AsyncSession, user_id: int, purpose: TokenPurpose, *, invited_by: int | None = None
) -> None:
    payload: dict[str, object] = {"user_id": user_id, "purpose": purpose.value}
    if invited_by is not None:
        payload["invited_by_user_id"] = invited_by
    await emit(db, ACCOUNT_LINK_REQUESTED, payload)


@dataclass(frozen=True)
class NewPassword:
    """A new password, checked against the policy and hashed before any transaction opens."""

    hash: str


async def new_password(password: str, *field: str) -> NewPassword:
    checked_password(password, *field)
    return await new_password_hash(password)


async def new_password_hash(password: str) -> NewPassword:
    return NewPassword(hash=await hash_password(password))


async def end_credentials(db: AsyncSession, user_id: int, *, keep_family: str | None) -> None:
    """After a password is set: other sessions, open MFA challenges and unused links end."""
    await revoke_all_sessions(db, user_id, except_family=keep_family)
    await db.execute(
        update(MfaChallenge)
        .where(col(MfaChallenge.user_id) == user_id, col(MfaChallenge.used_at).is_(None))
        .values(used_at=datetime.now(UTC))
        .execution_options(synchronize_session=False)
    )
    await discard_links(db, user_id)


def _invalid_link() -> Refused:
    return refuse(
        UserErrorCode.INVALID_TOKEN,
        "The link is unknown, already used or expired; ask for a new one.",
        "token",
    )


async def _set_password_from_link(
    db: AsyncSession, token: str, purpose: TokenPurpose, password: NewPassword
) -> User:
    user_id = await use_link(db, token, purpose)
    user = await db.get(User, user_id) if user_id is not None else None
    if user is None or user.disabled_at is not None:
        raise _invalid_link()
    user.password_hash = password.hash
    user.password_changed_at = datetime.now(UTC)
    assert user.id is not None
    await end_credentials(db, user.id, keep_family=None)
    return user


async def accept_invitation(
    db: AsyncSession, *, token: str, password: NewPassword, full_name: str, origin: Origin
) -> User:
    user = await _set_password_from_link(db, token, TokenPurpose.INVITATION, password)
    user.full_name = full_name
    await db.flush()
    await record_account_change(
        db,
        actor=None,
        origin=origin,
        action="user.invitation_accepted",
        target_id=user.id,
        actor_label=user.email,
    )
    return user


async def reset_password(
    db: AsyncSession, *, token: str, password: NewPassword, origin: Origin
) -> User:
    user = await _set_password_from_link(db, token, TokenPurpose.PASSWORD_RESET, password)
    await db.flush()
    await record_account_change(
        db,
        actor=None,
        origin=origin,
        action="user.password_reset",
        target_id=user.id,
        actor_label=user.email,
    )
    return user


async def request_password_reset(
    db: AsyncSession, *, email: str, settings: Settings, limiter: RateLimiter, origin: Origin
) -> Issue | None:
    """Mail a reset link if the address belongs to an active account; say nothing either way."""
    account, valid = account_of(email)
    if not valid:
        return issue(UserErrorCode.INVALID_EMAIL, "is not an email address", "email")
    decision = await throttle.attempt(
        limiter,
        settings,
        ThrottleScope.PASSWORD_RESET,
        account=account,
        client_ip=origin.client_ip,
    )
    if not decision.allowed:
        return too_many_requests(decision.retry_after_seconds)
    user = await db.scalar(select(User).where(col(User.email) == account))
    # Only accounts in use: an invitation not yet accepted is answered by inviting again.
    active = user is not None and user.disabled_at is None and user.password_hash is not None
    if active and user is not None and user.id is not None:
        await request_link(db, user.id, TokenPurpose.PASSWORD_RESET)
    return None


async def change_password(
    db: AsyncSession,
    *,
    user: User,
    actor: Principal,
    current_password: str,
    new_password: str,
    settings: Settings,
    limiter: RateLimiter,
    origin: Origin,
) -> None:
    """Needs the current password (throttled like a login); keeps only this session."""
    assert user.id is not None
    checked_password(new_password, "newPassword")
    account = throttle.user_account(user.id)
    decision = await throttle.attempt(
        limiter,
        settings,
        ThrottleScope.PASSWORD_CHANGE,
        account=account,
        client_ip=origin.client_ip,
    )
    if not decision.allowed:
        raise Refused(too_many_requests(decision.retry_after_seconds))
    if not (await verify_password(user.password_hash, current_password)).valid:
        raise refuse(
            UserErrorCode.INVALID_CREDENTIALS, "The current password is wrong.", "currentPassword"
        )
    await throttle.clear_account(limiter, ThrottleScope.PASSWORD_CHANGE, account)
    user.password_hash = (await new_password_hash(new_password)).hash
    user.password_changed_at = datetime.now(UTC)
    current = await db.get(UserSession, actor.session_id) if actor.session_id else None
    await end_credentials(db, user.id, keep_family=current.family_id if current else None)
    await db.flush()
    await record_account_change(
        db,
        actor=actor,
        origin=origin,
        action="user.password_changed",
        target_id=user.id,
        actor_label=user.email,
    )

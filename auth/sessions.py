"""Sessions: an access token for requests, a rotating refresh token, both stored as hashes.

Refreshing replaces the session row with a new one in the same family. A refresh token that
was already used is the sign of a stolen token: the whole family is revoked at once, so the
thief and the victim both have to log in again, and only the victim can.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from auth import tokens
from auth.principal import Principal, user_principal
from core.db import Database
from core.outcomes import Issue, UserErrorCode, issue
from core.settings import Settings
from models.accounts import Role, User, UserSession

# Writing last-use on every request would turn reads into writes; once a minute is enough.
TOUCH_INTERVAL = timedelta(seconds=60)


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class IssuedSession:
    session_id: int
    access_token: str
    refresh_token: str
    access_expires_at: datetime
    refresh_expires_at: datetime


def _lifetimes(settings: Settings, user: User) -> tuple[timedelta, timedelta]:
    """(idle, absolute) lifetimes: shorter for staff, whose sessions open more."""
    if user.is_staff:
        return (
            timedelta(minutes=settings.staff_session_idle_minutes),
            timedelta(hours=settings.staff_session_absolute_hours),
        )
    return (
        timedelta(minutes=settings.client_session_idle_minutes),
        timedelta(hours=settings.client_session_absolute_hours),
    )


async def issue_session(
    db: AsyncSession,
    user: User,
    *,
    settings: Settings,
    mfa_verified: bool,
    client_ip: str = "",
    user_agent: str = "",
    family_id: str | None = None,
    absolute_expires_at: datetime | None = None,
) -> IssuedSession:
    assert user.id is not None
    now = utcnow()
    idle, absolute = _lifetimes(settings, user)
    absolute_end = absolute_expires_at or now + absolute
    idle_end = min(now + idle, absolute_end)
    access_token = tokens.new_token(tokens.ACCESS)
    refresh_token = tokens.new_token(tokens.REFRESH)
    row = UserSession(
        user_id=user.id,
        family_id=family_id or str(uuid.uuid4()),
        access_token_hash=tokens.token_hash(access_token),
        refresh_token_hash=tokens.token_hash(refresh_token),
        mfa_verified=mfa_verified,
        last_used_at=now,
        access_expires_at=min(now + timedelta(minutes=settings.access_token_minutes), idle_end),
        idle_expires_at=idle_end,
        absolute_expires_at=absolute_end,
        client_ip=client_ip[:64],
        user_agent=user_agent[:300],
    )
    db.add(row)
    await db.flush()
    assert row.id is not None
    return IssuedSession(
        session_id=row.id,
        access_token=access_token,
        refresh_token=refresh_token,
        access_expires_at=row.access_expires_at,
        refresh_expires_at=idle_end,
    )


def _is_live(row: UserSession, now: datetime) -> bool:
    return (
        row.revoked_at is None
        and row.rotated_at is None
        and now < row.idle_expires_at
        and now < row.absolute_expires_at
    )


async def resolve_access_token(
    database: Database, access_token: str, settings: Settings
) -> Principal | None:
    """The principal behind a live access token, or None. No cache: revocation is immediate."""
    now = utcnow()
    async with database.session() as db:
        found = (
            await db.execute(
                select(UserSession, User)
                .join(User, col(User.id) == col(UserSession.user_id))
                .where(col(UserSession.access_token_hash) == tokens.token_hash(access_token))
            )
        ).first()
    if found is None:
        return None
    row, user = found
    if not _is_live(row, now) or now >= row.access_expires_at or user.disabled_at:
        return None
    if now - row.last_used_at > TOUCH_INTERVAL:
        await _touch(database, row, settings, user, now)
    assert user.id is not None
    assert row.id is not None
    return user_principal(
        user_id=user.id,
        role=Role(user.role),
        session_id=row.id,
        client_company_id=user.client_company_id,
        mfa_enrolled=user.has_mfa,
        mfa_verified=row.mfa_verified,
        require_staff_mfa=settings.require_staff_mfa,
    )


async def _touch(
    database: Database, row: UserSession, settings: Settings, user: User, now: datetime
) -> None:
    idle, _ = _lifetimes(settings, user)
    async with database.transaction() as db:
        await db.execute(
            update(UserSession)
            .where(col(UserSession.id) == row.id)
            .values(
                last_used_at=now,
                idle_expires_at=min(now + idle, row.absolute_expires_at),
            )
        )


UNKNOWN_REFRESH_TOKEN = issue(UserErrorCode.INVALID_REFRESH_TOKEN, "The refresh token is unknown.")
SESSION_ENDED = issue(UserErrorCode.SESSION_EXPIRED, "The session has ended; sign in again.")
REFRESH_TOKEN_REUSED = issue(
    UserErrorCode.REFRESH_TOKEN_REUSED,
    "The refresh token was already used; every session of its family has ended.",
)


@dataclass(frozen=True)
class RefreshOutcome:
    issued: IssuedSession | None = None
    failure: Issue | None = None


async def refresh_session(
    db: AsyncSession,
    refresh_token: str,
    *,
    settings: Settings,
    client_ip: str = "",
    user_agent: str = "",
) -> RefreshOutcome:
    """Rotate a refresh token. The caller commits, also on failure (a reuse revokes)."""
    now = utcnow()
    statement = select(UserSession).where(
        col(UserSession.refresh_token_hash) == tokens.token_hash(refresh_token)
    )
    row = (await db.scalars(statement.with_for_update())).first()
    if row is None:
        return RefreshOutcome(failure=UNKNOWN_REFRESH_TOKEN)
    if row.rotated_at is not None:
        await revoke_family(db, row.family_id)
        return RefreshOutcome(failure=REFRESH_TOKEN_REUSED)
    user = await db.get(User, row.user_id)
    if not _is_live(row, now) or user is None or user.disabled_at is not None:
        return RefreshOutcome(failure=SESSION_ENDED)
    row.rotated_at = now
    issued = await issue_session(
        db,
        user,
        settings=settings,
        mfa_verified=row.mfa_verified,
        client_ip=client_ip,
        user_agent=user_agent,
        family_id=row.family_id,
        absolute_expires_at=row.absolute_expires_at,
    )
    return RefreshOutcome(issued=issued)


async def revoke_family(db: AsyncSession, family_id: str) -> int:
    result = await db.execute(
        update(UserSession)
        .where(col(UserSession.family_id) == family_id, col(UserSession.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def revoke_session(db: AsyncSession, *, user_id: int, session_id: int) -> bool:
    """End one of the user's own sessions (its whole family, so its refresh dies too)."""
    row = await db.get(UserSession, session_id)
    if row is None or row.user_id != user_id:
        return False
    return await revoke_family(db, row.family_id) > 0


async def end_live_session(
    db: AsyncSession, session_id: int, *, owner_id: int | None = None
) -> UserSession | None:
    """End a live session (its whole family, so its refresh token dies too) and return it;
    None, and nothing ended, when no live session has that id or, given `owner_id`, when it
    belongs to someone else (the two are answered alike, so ids of others reveal nothing)."""
    row = (
        await db.scalars(
            select(UserSession).where(col(UserSession.id) == session_id).with_for_update()
        )
    ).first()
    if row is None or not _is_live(row, utcnow()):
        return None
    if owner_id is not None and row.user_id != owner_id:
        return None
    await revoke_family(db, row.family_id)
    return row


async def revoke_all_sessions(
    db: AsyncSession, user_id: int, *, except_family: str | None = None
) -> int:
    """End every session of a user: after a password, MFA or role change, or disabling."""
    statement = (
        update(UserSession)
        .where(col(UserSession.user_id) == user_id, col(UserSession.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )
    if except_family is not None:
        statement = statement.where(col(UserSession.family_id) != except_family)
    result = await db.execute(statement)
    return int(result.rowcount)  # type: ignore[attr-defined]


async def active_sessions(db: AsyncSession, user_id: int) -> list[UserSession]:
    now = utcnow()
    rows = await db.scalars(
        select(UserSession)
        .where(
            col(UserSession.user_id) == user_id,
            col(UserSession.revoked_at).is_(None),
            col(UserSession.rotated_at).is_(None),
        )
        .order_by(col(UserSession.created_at).desc(), col(UserSession.id).desc())
    )
    return [row for row in rows if _is_live(row, now)]


async def principal_of_user(
    database: Database, user_id: int, settings: Settings
) -> Principal | None:
    """The principal a background job acts as for `user_id`, as the user stands now (their
    current role and company), or None if they are gone or disabled. The job was asked for
    through a session that had passed MFA where it is required, so the user counts as
    verified, unless their MFA has been reset since."""
    async with database.session() as db:
        user = await db.get(User, user_id)
    if user is None or user.disabled_at is not None:
        return None
    return user_principal(
        user_id=user_id,
        role=Role(user.role),
        session_id=None,  # no session: a job, not a request
        client_company_id=user.client_company_id,
        mfa_enrolled=user.has_mfa,
        mfa_verified=user.has_mfa,
        require_staff_mfa=settings.require_staff_mfa,
    )

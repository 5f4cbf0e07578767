"""Single-use, expiring links sent by mail: invitations and password resets.

The token exists in plain text only in the mail; the table keeps its SHA-256. Using a link
is one conditional update (unused and unexpired, in the same statement), so two requests
racing with the same link cannot both succeed. Minting a new link for a purpose deletes the
user's older unused ones: only the latest mail works.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, delete, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from auth import tokens
from core.settings import Settings
from models.accounts import TokenPurpose, UserToken

PAGES = {
    TokenPurpose.INVITATION: "accept-invitation",
    TokenPurpose.PASSWORD_RESET: "reset-password",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def lifetime(settings: Settings, purpose: TokenPurpose) -> timedelta:
    if purpose is TokenPurpose.INVITATION:
        return timedelta(hours=settings.invitation_hours)
    return timedelta(minutes=settings.password_reset_minutes)


@dataclass(frozen=True)
class IssuedLink:
    token: str
    url: str
    expires_at: datetime


async def issue_link(
    db: AsyncSession, *, user_id: int, purpose: TokenPurpose, settings: Settings
) -> IssuedLink:
    await discard_links(db, user_id, purpose)
    token = tokens.new_token(tokens.LINK)
    expires_at = utcnow() + lifetime(settings, purpose)
    db.add(
        UserToken(
            user_id=user_id,
            purpose=purpose,
            token_hash=tokens.token_hash(token),
            expires_at=expires_at,
        )
    )
    await db.flush()
    # Token alphabet is URL-safe base64 plus the prefix: nothing to escape.
    url = f"{settings.public_app_url}/{PAGES[purpose]}?token={token}"
    return IssuedLink(token=token, url=url, expires_at=expires_at)


def _usable(token: str, purpose: TokenPurpose, now: datetime) -> list[ColumnElement[bool]]:
    return [
        col(UserToken.token_hash) == tokens.token_hash(token),
        col(UserToken.purpose) == purpose.value,
        col(UserToken.used_at).is_(None),
        col(UserToken.expires_at) > now,
    ]


async def usable_link_user(db: AsyncSession, token: str, purpose: TokenPurpose) -> int | None:
    """The user a link would act for if used now; a cheap check before hashing a password."""
    if not token.startswith(tokens.LINK) or len(token) > 200:
        return None
    found = await db.scalar(
        select(col(UserToken.user_id)).where(*_usable(token, purpose, utcnow()))
    )
    return None if found is None else int(found)


async def use_link(db: AsyncSession, token: str, purpose: TokenPurpose) -> int | None:
    """Mark the link used and return its user; None if unknown, used or expired."""
    if not token.startswith(tokens.LINK) or len(token) > 200:
        return None
    now = utcnow()
    used = await db.scalar(
        update(UserToken)
        .where(*_usable(token, purpose, now))
        .values(used_at=now)
        .returning(col(UserToken.user_id))
        .execution_options(synchronize_session=False)
    )
    return None if used is None else int(used)


async def discard_links(
    db: AsyncSession, user_id: int, purpose: TokenPurpose | None = None
) -> None:
    """Delete the user's unused links (of one purpose, or all)."""
    statement = delete(UserToken).where(
        col(UserToken.user_id) == user_id, col(UserToken.used_at).is_(None)
    )
    if purpose is not None:
        statement = statement.where(col(UserToken.purpose) == purpose.value)
    await db.execute(statement.execution_options(synchronize_session=False))

"""Ending one named session: any user's, by an administrator, or one of the caller's own.

Either way the session's whole family ends (its refresh token with it), in one transaction
with its audit row (`session.ended`, the session as target, its user in the changes). A session
that does not exist, has already ended, or (for one's own) belongs to someone else is the same
NOT_FOUND, so session ids of other people reveal nothing.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from auth.account_audit import record_account_change
from auth.origin import Origin
from auth.principal import Principal
from auth.sessions import end_live_session
from core.outcomes import UserErrorCode, refuse
from models.accounts import UserSession

SESSION = "Session"


async def end_session(
    db: AsyncSession,
    *,
    session_id: int,
    actor: Principal,
    origin: Origin,
    own_only: bool,
) -> UserSession:
    """End a live session: the actor's own when `own_only`, anyone's otherwise (the schema
    lets only `users:manage` holders ask for that)."""
    owner_id = actor.user_id if own_only else None
    if own_only and owner_id is None:
        raise refuse(UserErrorCode.NOT_FOUND, "no such session of yours", "sessionId")
    row = await end_live_session(db, session_id, owner_id=owner_id)
    if row is None:
        what = "no such live session of yours" if own_only else "no such live session"
        raise refuse(UserErrorCode.NOT_FOUND, what, "sessionId")
    await record_account_change(
        db,
        actor=actor,
        origin=origin,
        action="session.ended",
        target_type=SESSION,
        target_id=row.id,
        changes={"user_id": row.user_id, "ended": [False, True]},
    )
    return row

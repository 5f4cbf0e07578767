"""Logging in: a password, then (when MFA is confirmed) a second factor against a challenge.

Both steps are throttled per account and per client IP, and each writes exactly one audit
row in its transaction, success or failure, never with the password or the code in it. An
unknown email and a wrong password give the same error after the same hashing work. A user
with confirmed MFA gets only an `MfaChallenge` for the password: an opaque, short-lived token
good for nothing but `complete_mfa`, which issues the session.
"""

from __future__ import annotations

import time
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from auth import audit, throttle, tokens
from auth.account_audit import USER
from auth.emails import MAX_EMAIL_LENGTH, InvalidEmail, normalise_email
from auth.origin import Origin
from auth.passwords import verify_password
from auth.principal import Principal, PrincipalKind
from auth.second_factor import INVALID_CODE, check_second_factor
from auth.sessions import IssuedSession, issue_session
from auth.throttle import ThrottleScope
from auth.totp import Clock
from core.outcomes import Issue, UserErrorCode, issue, too_many_requests
from core.rate_limit import RateLimiter
from core.settings import Settings
from models.accounts import MfaChallenge, Role, User

INVALID_CREDENTIALS = issue(
    UserErrorCode.INVALID_CREDENTIALS, "The email address or the password is wrong."
)
INVALID_CHALLENGE = issue(
    UserErrorCode.INVALID_CHALLENGE,
    "The MFA challenge is unknown, used or expired; log in again.",
    "challenge",
)


@dataclass(frozen=True)
class IssuedChallenge:
    token: str
    expires_at: datetime


@dataclass(frozen=True)
class LoginOutcome:
    session: IssuedSession | None = None
    challenge: IssuedChallenge | None = None
    # Staff without MFA get a session that can only set MFA up.
    mfa_setup_required: bool = False
    problem: Issue | None = None


def account_of(email: str) -> tuple[str, bool]:
    """(the normalised email, whether it is a valid address); used as the throttle account."""
    try:
        return normalise_email(email), True
    except InvalidEmail:
        return unicodedata.normalize("NFKC", email).strip().casefold()[:MAX_EMAIL_LENGTH], False


def _as_actor(user: User) -> Principal:
    return Principal(kind=PrincipalKind.USER, role=Role(user.role), user_id=user.id)


async def _audit(
    db: AsyncSession,
    origin: Origin,
    action: str,
    *,
    label: str,
    user: User | None = None,
    succeeded: bool = False,
    changes: dict[str, Any] | None = None,
) -> None:
    await audit.record(
        db,
        actor=_as_actor(user) if user is not None and succeeded else None,
        action=action,
        target_type=USER if user is not None else "",
        target_id=user.id if user is not None else None,
        changes=changes,
        request_id=origin.request_id,
        client_ip=origin.client_ip,
        actor_label=label,
    )


async def log_in(
    db: AsyncSession,
    *,
    email: str,
    password: str,
    settings: Settings,
    limiter: RateLimiter,
    origin: Origin,
) -> LoginOutcome:
    account, valid_email = account_of(email)
    decision = await throttle.attempt(
        limiter, settings, ThrottleScope.LOGIN, account=account, client_ip=origin.client_ip
    )
    if not decision.allowed:
        problem = too_many_requests(decision.retry_after_seconds)
        await _audit(db, origin, "login.failed", label=account, changes=_failure(problem))
        return LoginOutcome(problem=problem)
    user = None
    if valid_email:
        user = await db.scalar(select(User).where(col(User.email) == account))
    check = await verify_password(user.password_hash if user is not None else None, password)
    if user is None or not check.valid or user.disabled_at is not None:
        await _audit(
            db,
            origin,
            "login.failed",
            label=account,
            user=user,
            changes=_failure(INVALID_CREDENTIALS),
        )
        return LoginOutcome(problem=INVALID_CREDENTIALS)
    if check.upgraded_hash is not None:
        user.password_hash = check.upgraded_hash
    await throttle.clear_account(limiter, ThrottleScope.LOGIN, account)
    if user.has_mfa:
        challenge = await _open_challenge(db, user, settings)
        await _audit(
            db, origin, "login.password_accepted", label=account, user=user, succeeded=True
        )
        return LoginOutcome(challenge=challenge)
    session = await _sign_in(
        db,
        user,
        settings=settings,
        mfa_verified=False,
        client_ip=origin.client_ip,
        user_agent=origin.user_agent,
    )
    await _audit(db, origin, "login.succeeded", label=account, user=user, succeeded=True)
    return LoginOutcome(
        session=session, mfa_setup_required=user.is_staff and settings.require_staff_mfa
    )


async def _sign_in(
    db: AsyncSession,
    user: User,
    *,
    settings: Settings,
    mfa_verified: bool,
    client_ip: str,
    user_agent: str,
) -> IssuedSession:
    """A session for a completed sign-in, noted on the user for the staff users list."""
    user.last_signed_in_at = datetime.now(UTC)
    return await issue_session(
        db,
        user,
        settings=settings,
        mfa_verified=mfa_verified,
        client_ip=client_ip,
        user_agent=user_agent,
    )


def _failure(problem: Issue, stage: str = "password") -> dict[str, Any]:
    return {"stage": stage, "reason": problem.code.value}


async def _open_challenge(db: AsyncSession, user: User, settings: Settings) -> IssuedChallenge:
    assert user.id is not None
    token = tokens.new_token(tokens.MFA_CHALLENGE)
    expires_at = datetime.now(UTC) + timedelta(minutes=settings.mfa_challenge_minutes)
    db.add(
        MfaChallenge(user_id=user.id, token_hash=tokens.token_hash(token), expires_at=expires_at)
    )
    await db.flush()
    return IssuedChallenge(token=token, expires_at=expires_at)


async def _live_challenge(db: AsyncSession, token: str) -> tuple[MfaChallenge, User] | None:
    """The unused, unexpired challenge and its user, locked until the transaction ends, so
    two verifications of one challenge take turns."""
    if not token.startswith(tokens.MFA_CHALLENGE) or len(token) > 200:
        return None
    statement = select(MfaChallenge).where(
        col(MfaChallenge.token_hash) == tokens.token_hash(token),
        col(MfaChallenge.used_at).is_(None),
        col(MfaChallenge.expires_at) > datetime.now(UTC),
    )
    challenge = (await db.scalars(statement.with_for_update())).first()
    if challenge is None:
        return None
    user = await db.get(User, challenge.user_id)
    if user is None or user.disabled_at is not None or not user.has_mfa:
        return None
    return challenge, user


async def complete_mfa(
    db: AsyncSession,
    *,
    challenge_token: str,
    code: str | None,
    recovery_code: str | None,
    settings: Settings,
    limiter: RateLimiter,
    origin: Origin,
    clock: Clock = time.time,
) -> LoginOutcome:
    """Finish a login with a TOTP or recovery code: a session with `mfa_verified`."""
    found = await _live_challenge(db, challenge_token)
    if found is None:
        # Names no account we can count against: only the IP's allowance is spent.
        decision = await throttle.attempt(
            limiter, settings, ThrottleScope.MFA, account=None, client_ip=origin.client_ip
        )
        problem = (
            INVALID_CHALLENGE
            if decision.allowed
            else too_many_requests(decision.retry_after_seconds)
        )
        await _audit(db, origin, "login.failed", label="", changes=_failure(problem, "mfa"))
        return LoginOutcome(problem=problem)
    challenge, user = found
    assert user.id is not None
    account = throttle.user_account(user.id)
    decision = await throttle.attempt(
        limiter, settings, ThrottleScope.MFA, account=account, client_ip=origin.client_ip
    )
    factor = None
    if decision.allowed:
        factor = await check_second_factor(
            db, user, code=code, recovery_code=recovery_code, settings=settings, clock=clock
        )
    if factor is None:
        problem = (
            INVALID_CODE if decision.allowed else too_many_requests(decision.retry_after_seconds)
        )
        await _audit(
            db,
            origin,
            "login.failed",
            label=user.email,
            user=user,
            changes=_failure(problem, "mfa"),
        )
        return LoginOutcome(problem=problem)
    challenge.used_at = datetime.now(UTC)
    await throttle.clear_account(limiter, ThrottleScope.MFA, account)
    session = await _sign_in(
        db,
        user,
        settings=settings,
        mfa_verified=True,
        client_ip=origin.client_ip,
        user_agent=origin.user_agent,
    )
    await _audit(
        db,
        origin,
        "login.succeeded",
        label=user.email,
        user=user,
        succeeded=True,
        changes={"factor": factor.value},
    )
    return LoginOutcome(session=session)

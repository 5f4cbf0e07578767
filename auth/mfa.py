"""Managing one's own TOTP factor: enrol, confirm, new recovery codes, turn it off.

Enrolling stores a pending secret (encrypted, bound to the user row); confirming it with a
code activates MFA and hands out recovery codes, once. New recovery codes and turning MFA
off need a fresh factor. Every change to MFA ends the user's other sessions; the session
that made the change stays, and after a confirmation it counts as MFA-verified (it just
presented the password at login and now a code). Failures raise `Refused`, so the
transaction rolls back; code attempts are throttled like MFA logins.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from auth import throttle, totp
from auth.account_audit import record_account_change
from auth.origin import Origin
from auth.principal import Principal
from auth.recovery_codes import delete_recovery_codes, replace_recovery_codes
from auth.second_factor import INVALID_CODE, check_second_factor, one_factor_given
from auth.sessions import revoke_all_sessions
from auth.throttle import ThrottleScope
from core.crypto import DataCipher
from core.outcomes import Refused, UserErrorCode, refuse, too_many_requests
from core.rate_limit import RateLimiter
from core.settings import Settings
from models.accounts import User, UserSession


@dataclass(frozen=True)
class TotpEnrolment:
    secret: str
    uri: str
    qr_code_svg: str


@dataclass(frozen=True)
class MfaRequest:
    """Who asks, from where, through which session; and the throttle to count against."""

    user: User
    actor: Principal
    origin: Origin
    settings: Settings
    limiter: RateLimiter


def _already_enabled() -> Refused:
    return refuse(
        UserErrorCode.MFA_ALREADY_ENABLED,
        "MFA is already on; turn it off first to enrol another authenticator.",
    )


async def enrol_totp(db: AsyncSession, request: MfaRequest) -> TotpEnrolment:
    """A new pending secret, replacing any earlier unconfirmed one."""
    user = request.user
    assert user.id is not None
    if user.has_mfa:
        raise _already_enabled()
    secret = totp.new_secret()
    user.totp_secret_ciphertext = totp.seal_secret(
        DataCipher(request.settings.data_key), user.id, secret
    )
    user.totp_last_step = None
    await db.flush()
    uri = totp.provisioning_uri(secret, user.email)
    return TotpEnrolment(secret=secret, uri=uri, qr_code_svg=totp.qr_code_svg(uri))


async def _count_attempt(request: MfaRequest) -> None:
    assert request.user.id is not None
    decision = await throttle.attempt(
        request.limiter,
        request.settings,
        ThrottleScope.MFA,
        account=throttle.user_account(request.user.id),
        client_ip=request.origin.client_ip,
    )
    if not decision.allowed:
        raise Refused(too_many_requests(decision.retry_after_seconds))


async def _attempt_succeeded(request: MfaRequest) -> None:
    assert request.user.id is not None
    await throttle.clear_account(
        request.limiter, ThrottleScope.MFA, throttle.user_account(request.user.id)
    )


async def confirm_totp(
    db: AsyncSession, request: MfaRequest, code: str, *, clock: totp.Clock = time.time
) -> list[str]:
    """Activate the pending secret with a code from it; returns the recovery codes."""
    user = request.user
    assert user.id is not None
    if user.has_mfa:
        raise _already_enabled()
    if user.totp_secret_ciphertext is None:
        raise refuse(
            UserErrorCode.NO_PENDING_ENROLMENT, "Call enrollTotp first, then confirm its code."
        )
    await _count_attempt(request)
    cipher = DataCipher(request.settings.data_key)
    if not await totp.verify_code(db, cipher, user, code, clock=clock):
        raise Refused(INVALID_CODE)
    await _attempt_succeeded(request)
    user.totp_confirmed_at = datetime.now(UTC)
    codes = await replace_recovery_codes(db, user.id, secret_key=request.settings.secret_key)
    await _end_other_sessions(db, request, verified=True)
    await _record(db, request, "user.mfa_enabled")
    return codes


async def _fresh_factor(
    db: AsyncSession,
    request: MfaRequest,
    code: str | None,
    recovery_code: str | None,
    clock: totp.Clock,
) -> str:
    problem = one_factor_given(code, recovery_code)
    if problem is not None:
        raise Refused(problem)
    if not request.user.has_mfa:
        raise refuse(UserErrorCode.MFA_NOT_ENABLED, "MFA is not on for this account.")
    await _count_attempt(request)
    factor = await check_second_factor(
        db,
        request.user,
        code=code,
        recovery_code=recovery_code,
        settings=request.settings,
        clock=clock,
    )
    if factor is None:
        raise Refused(INVALID_CODE)
    await _attempt_succeeded(request)
    return factor.value


async def regenerate_recovery_codes(
    db: AsyncSession,
    request: MfaRequest,
    *,
    code: str | None,
    recovery_code: str | None,
    clock: totp.Clock = time.time,
) -> list[str]:
    factor = await _fresh_factor(db, request, code, recovery_code, clock)
    assert request.user.id is not None
    codes = await replace_recovery_codes(
        db, request.user.id, secret_key=request.settings.secret_key
    )
    await _record(db, request, "user.recovery_codes_regenerated", {"factor": factor})
    return codes


async def disable_totp(
    db: AsyncSession,
    request: MfaRequest,
    *,
    code: str | None,
    recovery_code: str | None,
    clock: totp.Clock = time.time,
) -> None:
    factor = await _fresh_factor(db, request, code, recovery_code, clock)
    await clear_mfa(db, request.user)
    await _end_other_sessions(db, request, verified=False)
    await _record(db, request, "user.mfa_disabled", {"factor": factor})


async def clear_mfa(db: AsyncSession, user: User) -> None:
    """Forget the secret, its last step and the recovery codes (user or admin action)."""
    assert user.id is not None
    user.totp_secret_ciphertext = None
    user.totp_confirmed_at = None
    user.totp_last_step = None
    await delete_recovery_codes(db, user.id)
    await db.flush()


async def _end_other_sessions(db: AsyncSession, request: MfaRequest, *, verified: bool) -> None:
    assert request.user.id is not None
    current = (
        await db.get(UserSession, request.actor.session_id)
        if request.actor.session_id is not None
        else None
    )
    family = current.family_id if current is not None else None
    await revoke_all_sessions(db, request.user.id, except_family=family)
    if verified and family is not None:
        await db.execute(
            update(UserSession)
            .where(col(UserSession.family_id) == family, col(UserSession.revoked_at).is_(None))
            .values(mfa_verified=True)
            .execution_options(synchronize_session=False)
        )


async def _record(
    db: AsyncSession, request: MfaRequest, action: str, changes: dict[str, str] | None = None
) -> None:
    await record_account_change(
        db,
        actor=request.actor,
        origin=request.origin,
        action=action,
        target_id=request.user.id,
        changes=changes,
        actor_label=request.user.email,
    )

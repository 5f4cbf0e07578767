"""Checking a confirmed second factor: a TOTP code or, failing the phone, a recovery code.

Used to finish a login and wherever MFA itself changes (new recovery codes, turning TOTP
off): those need a fresh factor, not only a session, so a stolen session cannot quietly
weaken the account.
"""

from __future__ import annotations

import time
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from auth.recovery_codes import use_recovery_code
from auth.totp import Clock, verify_code
from core.crypto import DataCipher
from core.outcomes import Issue, UserErrorCode, issue
from core.settings import Settings
from models.accounts import User


class Factor(StrEnum):
    TOTP = "totp"
    RECOVERY_CODE = "recovery_code"


def one_factor_given(code: str | None, recovery_code: str | None) -> Issue | None:
    """An issue unless exactly one of `code` and `recoveryCode` was given."""
    if (code is None) == (recovery_code is None):
        return issue(
            UserErrorCode.ONE_FACTOR_REQUIRED,
            "Give either a code from the authenticator app or a recovery code.",
            "code",
        )
    return None


INVALID_CODE = issue(
    UserErrorCode.INVALID_CODE, "The code is wrong, expired or already used.", "code"
)


async def check_second_factor(
    db: AsyncSession,
    user: User,
    *,
    code: str | None,
    recovery_code: str | None,
    settings: Settings,
    clock: Clock = time.time,
) -> Factor | None:
    """The factor that was right (and is now used up), or None."""
    if user.id is None or not user.has_mfa:
        return None
    if code is not None:
        cipher = DataCipher(settings.data_key)
        return Factor.TOTP if await verify_code(db, cipher, user, code, clock=clock) else None
    if recovery_code is not None and await use_recovery_code(
        db, user.id, recovery_code, secret_key=settings.secret_key
    ):
        return Factor.RECOVERY_CODE
    return None

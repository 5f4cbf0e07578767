"""Recovery codes: ten single-use codes for when the phone is lost, shown once.

About 49 bits each is plenty online (attempts are throttled) but could be brute-forced from
a stolen database if stored as plain SHA-256, so they are stored as HMAC-SHA256 under
`SECRET_KEY`, bound to their user: a copy of the table alone gives nothing away.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

from pydantic import SecretStr
from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from auth.tokens import new_recovery_code, normalise_recovery_code
from models.accounts import RecoveryCode

CODES_PER_USER = 10


def recovery_code_hash(secret_key: SecretStr, user_id: int, code: str) -> str:
    message = f"{user_id}:{normalise_recovery_code(code)}".encode()
    key = secret_key.get_secret_value().encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


async def replace_recovery_codes(
    db: AsyncSession, user_id: int, *, secret_key: SecretStr
) -> list[str]:
    """A fresh set of codes; every earlier one stops working."""
    await delete_recovery_codes(db, user_id)
    codes = [new_recovery_code() for _ in range(CODES_PER_USER)]
    db.add_all(
        RecoveryCode(user_id=user_id, code_hash=recovery_code_hash(secret_key, user_id, code))
        for code in codes
    )
    await db.flush()
    return codes


async def use_recovery_code(
    db: AsyncSession, user_id: int, code: str, *, secret_key: SecretStr
) -> bool:
    """True once per unused code of this user: the update changes one row or none."""
    result = await db.execute(
        update(RecoveryCode)
        .where(
            col(RecoveryCode.user_id) == user_id,
            col(RecoveryCode.code_hash) == recovery_code_hash(secret_key, user_id, code),
            col(RecoveryCode.used_at).is_(None),
        )
        .values(used_at=datetime.now(UTC))
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount) == 1  # type: ignore[attr-defined]


async def delete_recovery_codes(db: AsyncSession, user_id: int) -> None:
    await db.execute(
        delete(RecoveryCode)
        .where(col(RecoveryCode.user_id) == user_id)
        .execution_options(synchronize_session=False)
    )

"""TOTP second factor (RFC 6238): 6 digits, 30-second steps, 160-bit secrets.

A code is accepted for the current step and the one before it (a code typed as the phone
ticks over), checked explicitly step by step: pyotp's `verify(valid_window=1)` would also
accept the next step's code. Each accepted step is stored with a conditional update that
changes the row only if the step is newer than the last one accepted, so a code works once,
even when two requests present it at the same moment: only one of them changes the row.

Secrets are stored encrypted under `DATA_KEY`, bound to their user row; the clock is a
parameter so tests can freeze it.
"""

from __future__ import annotations

import base64
import hmac
import io
import secrets
import time
from collections.abc import Callable

import pyotp
import segno
from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from core.crypto import DataCipher
from models.accounts import User

ISSUER = "TradeQL"
STEP_SECONDS = 30
DIGITS = 6
SECRET_BYTES = 20  # 160 bits, RFC 4226's recommendation

Clock = Callable[[], float]


def new_secret() -> str:
    """32 base32 characters (no padding: 160 bits is a whole number of base32 digits)."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def provisioning_uri(secret: str, email: str) -> str:
    """The otpauth:// URI authenticator apps read from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_code_svg(uri: str) -> str:
    """The URI as a QR code, a standalone SVG document (medium error correction)."""
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(buffer, kind="svg", xmldecl=False, scale=4, border=4)
    return buffer.getvalue().decode("utf-8")


def associated_data(user_id: int) -> bytes:
    """Binds a ciphertext to its user: copied to another row, it no longer decrypts."""
    return f"user:{user_id}:totp".encode()


def seal_secret(cipher: DataCipher, user_id: int, secret: str) -> bytes:
    return cipher.encrypt(secret.encode("ascii"), associated_data=associated_data(user_id))


def open_secret(cipher: DataCipher, user_id: int, ciphertext: bytes) -> str:
    return cipher.decrypt(ciphertext, associated_data=associated_data(user_id)).decode("ascii")


def _normalise_code(code: str) -> str | None:
    compact = "".join(code.split())
    if len(compact) != DIGITS or not compact.isascii() or not compact.isdigit():
        return None
    return compact


def matching_step(secret: str, code: str, *, now: float) -> int | None:
    """The time step (current or previous) whose code `code` is, or None."""
    given = _normalise_code(code)
    if given is None:
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    current = int(now // STEP_SECONDS)
    for step in (current, current - 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), given):
            return step
    return None


async def claim_step(db: AsyncSession, user_id: int, step: int) -> bool:
    """Record `step` as used; False if it (or a later one) already was."""
    result = await db.execute(
        update(User)
        .where(
            col(User.id) == user_id,
            or_(col(User.totp_last_step).is_(None), col(User.totp_last_step) < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount) == 1  # type: ignore[attr-defined]


async def verify_code(
    db: AsyncSession,
    cipher: DataCipher,
    user: User,
    code: str,
    *,
    clock: Clock = time.time,
) -> bool:
    """True once for a right code of the user's secret (pending or confirmed)."""
    if user.id is None or user.totp_secret_ciphertext is None:
        return False
    secret = open_secret(cipher, user.id, user.totp_secret_ciphertext)
    step = matching_step(secret, code, now=clock())
    return step is not None and await claim_step(db, user.id, step)

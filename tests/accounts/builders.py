"""Builders for account tests: TOTP factors, codes at a moment, the login documents."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pyotp
from sqlalchemy.ext.asyncio import AsyncSession

from auth import totp
from core.crypto import DataCipher
from core.settings import Settings
from models.accounts import User


async def give_totp(session: AsyncSession, user: User, settings: Settings) -> str:
    """Confirm a TOTP factor for `user` and return its secret."""
    assert user.id is not None
    secret = totp.new_secret()
    user.totp_secret_ciphertext = totp.seal_secret(DataCipher(settings.data_key), user.id, secret)
    user.totp_confirmed_at = datetime.now(UTC)
    user.totp_last_step = None
    await session.flush()
    return secret


def code_at(secret: str, moment: float | None = None) -> str:
    return pyotp.TOTP(secret).at(int(time.time() if moment is None else moment))


def error_codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


LOGIN = """
mutation($email: String!, $password: String!) {
  login(email: $email, password: $password) {
    result {
      __typename
      ... on SessionTokens { accessToken refreshToken accessTokenExpiresAt mfaSetupRequired }
      ... on MfaRequired { challenge expiresAt }
    }
    userErrors { field code message }
    retryAfterSeconds
  }
}
"""

VERIFY_MFA = """
mutation($challenge: String!, $code: String, $recoveryCode: String) {
  verifyMfa(challenge: $challenge, code: $code, recoveryCode: $recoveryCode) {
    session { accessToken refreshToken }
    userErrors { field code message }
    retryAfterSeconds
  }
}
"""

"""Throttles on guessing: passwords, MFA codes and reset requests, per account and per IP.

Every attempt counts against two sliding windows: the account's (a normalised email or a
user id) and the client IP's, whose limit is higher because offices share an address. Once
either is spent, attempts are refused with a retry time without being checked, so no
password is hashed and no code compared. A successful login or MFA check resets only that
account's count: the IP's count keeps the evidence of an attack spread over many accounts.

The window is chosen so that the longest wait `RateLimiter` can announce, (1 + 1/limit)
windows, is `AUTH_LOCKOUT_MINUTES`: a real user is never locked out for longer than that,
however long an attacker keeps trying (refused attempts are not counted).

Keys hold a hash of the account, not the email itself, so Redis keeps no addresses.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from auth.tokens import token_hash
from core.rate_limit import RateLimiter
from core.settings import Settings


class ThrottleScope(StrEnum):
    LOGIN = "login"
    MFA = "mfa"
    PASSWORD_CHANGE = "password"  # noqa: S105 - scope names, not passwords
    PASSWORD_RESET = "reset"  # noqa: S105


@dataclass(frozen=True)
class ThrottleDecision:
    allowed: bool
    retry_after_seconds: int = 0


def _limits(settings: Settings, scope: ThrottleScope) -> tuple[int, int]:
    """(per account, per IP) for the scope."""
    if scope is ThrottleScope.PASSWORD_RESET:
        return settings.password_reset_max_requests, settings.password_reset_max_requests_per_ip
    if scope is ThrottleScope.MFA:
        return settings.mfa_max_failures, settings.login_max_attempts_per_ip
    return settings.login_max_failures, settings.login_max_attempts_per_ip


def window_seconds(limit: int, lockout_minutes: float) -> int:
    """The window whose longest announced wait, (1 + 1/limit) windows, is the lockout."""
    return max(1, math.floor(lockout_minutes * 60 * limit / (limit + 1)))


def _account_key(scope: ThrottleScope, account: str) -> str:
    return f"auth:{scope.value}:account:{token_hash(account)[:32]}"


def _ip_key(scope: ThrottleScope, client_ip: str) -> str:
    return f"auth:{scope.value}:ip:{client_ip or 'unknown'}"


async def attempt(
    limiter: RateLimiter,
    settings: Settings,
    scope: ThrottleScope,
    *,
    account: str | None,
    client_ip: str,
) -> ThrottleDecision:
    """Count one attempt; refused when the IP's or the account's allowance is spent.

    `account=None` counts against the IP only (an attempt that names no known account).
    """
    per_account, per_ip = _limits(settings, scope)
    minutes = settings.auth_lockout_minutes
    checks = [(_ip_key(scope, client_ip), per_ip)]
    if account is not None:
        checks.append((_account_key(scope, account), per_account))
    for key, limit in checks:
        decision = await limiter.hit(
            key, limit=limit, window_seconds=window_seconds(limit, minutes)
        )
        if not decision.allowed:
            return ThrottleDecision(False, max(1, math.ceil(decision.retry_after_seconds)))
    return ThrottleDecision(True)


async def clear_account(limiter: RateLimiter, scope: ThrottleScope, account: str) -> None:
    """After a success: forget the account's failures, keep the IP's count."""
    await limiter.reset(_account_key(scope, account))


def user_account(user_id: int) -> str:
    """The throttle account of a signed-in user or of an MFA challenge."""
    return f"user:{user_id}"

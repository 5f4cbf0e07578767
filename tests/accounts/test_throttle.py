"""Throttles on guessing, on a clock the test moves: lock, release, what a success resets."""

from __future__ import annotations

import pytest

from auth import throttle
from auth.throttle import ThrottleScope
from core.rate_limit import InMemoryRateLimiter
from core.settings import Settings

START = 1_800_000_000.0


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def limits() -> Settings:
    return Settings(
        _env_file=None,
        login_max_failures=5,
        login_max_attempts_per_ip=12,
        auth_lockout_minutes=15,
    )


@pytest.mark.parametrize("limit", [1, 3, 5, 20])
@pytest.mark.parametrize("lockout_minutes", [0.05, 1, 15])
def test_the_longest_announced_wait_is_the_lockout(limit: int, lockout_minutes: float) -> None:
    window = throttle.window_seconds(limit, lockout_minutes)
    assert window * (1 + 1 / limit) <= lockout_minutes * 60


async def test_an_account_locks_after_its_failures_and_opens_within_the_lockout(
    clock: Clock, limits: Settings
) -> None:
    limiter = InMemoryRateLimiter(clock=clock)

    async def attempt() -> throttle.ThrottleDecision:
        return await throttle.attempt(
            limiter, limits, ThrottleScope.LOGIN, account="ada@example.com", client_ip="192.0.2.1"
        )

    # given five failed attempts in a row
    assert all([(await attempt()).allowed for _ in range(5)])
    # when a sixth comes
    refused = await attempt()
    # then it is refused with a wait no longer than the lockout
    assert not refused.allowed
    assert 0 < refused.retry_after_seconds <= 15 * 60
    # and once the wait is over an attempt is allowed again
    clock.now += refused.retry_after_seconds
    assert (await attempt()).allowed


async def test_a_success_clears_the_account_but_not_the_address(
    clock: Clock, limits: Settings
) -> None:
    limiter = InMemoryRateLimiter(clock=clock)

    async def attempt(account: str) -> bool:
        decision = await throttle.attempt(
            limiter, limits, ThrottleScope.LOGIN, account=account, client_ip="192.0.2.1"
        )
        return decision.allowed

    # given four failures on one account, then a success that resets its count
    for _ in range(4):
        assert await attempt("ada@example.com")
    await throttle.clear_account(limiter, ThrottleScope.LOGIN, "ada@example.com")
    # then the account has its five attempts again
    assert all([await attempt("ada@example.com") for _ in range(5)])
    # but the address has spent nine of its twelve, so spraying other accounts soon stops
    assert [await attempt(f"user{n}@example.com") for n in range(4)] == [True, True, True, False]


async def test_scopes_count_apart(clock: Clock, limits: Settings) -> None:
    limiter = InMemoryRateLimiter(clock=clock)
    for _ in range(5):
        await throttle.attempt(
            limiter, limits, ThrottleScope.LOGIN, account="user:1", client_ip="192.0.2.1"
        )
    mfa = await throttle.attempt(
        limiter, limits, ThrottleScope.MFA, account="user:1", client_ip="192.0.2.1"
    )
    assert mfa.allowed

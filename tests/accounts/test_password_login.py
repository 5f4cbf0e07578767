"""Password login as a function: the same work for unknown users, upgraded hashes."""

from __future__ import annotations

import pytest

from auth.login import log_in
from auth.origin import Origin
from auth.passwords import HASH_OPERATIONS
from core.db import Database
from core.rate_limit import InMemoryRateLimiter
from core.settings import Settings
from models.accounts import Role
from tests.user_builders import PASSWORD, make_user


@pytest.mark.parametrize("email", ["nobody@example.com", "not an address"])
async def test_an_unknown_email_costs_the_same_hashing_as_a_wrong_password(
    db: Database, settings: Settings, email: str
) -> None:
    async with db.transaction() as session:
        user = await make_user(session, Role.CLIENT)
    limiter = InMemoryRateLimiter()

    async def hashing_work(address: str, password: str) -> tuple[int, str | None]:
        before = HASH_OPERATIONS[0]
        async with db.transaction() as session:
            outcome = await log_in(
                session,
                email=address,
                password=password,
                settings=settings,
                limiter=limiter,
                origin=Origin(client_ip="192.0.2.7"),
            )
        return HASH_OPERATIONS[0] - before, outcome.problem.code if outcome.problem else None

    wrong_password = await hashing_work(user.email, "wrong password for them")
    unknown_user = await hashing_work(email, PASSWORD)

    assert wrong_password == unknown_user == (1, "INVALID_CREDENTIALS")

"""Account API tests: each with its own throttle counters and small, fast throttle limits."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from core.db import Database
from core.settings import Settings
from tests.account_builders import Api, account_api


@pytest.fixture
def auth_settings(settings: Settings) -> Settings:
    """Three failures lock an account; Redis keys of this test only. Windows are minutes long,
    so a slow test never straddles one; the release test shortens the lockout itself."""
    return settings.model_copy(
        update={
            "redis_prefix": f"{settings.redis_prefix}{uuid.uuid4().hex[:8]}:",
            "login_max_failures": 3,
            "mfa_max_failures": 3,
            "login_max_attempts_per_ip": 8,
            "password_reset_max_requests": 2,
            "auth_lockout_minutes": 5,
        }
    )


@pytest.fixture
async def api(auth_settings: Settings, db: Database) -> AsyncIterator[Api]:
    async with account_api(auth_settings, db) as client:
        yield client

"""Account API tests: each with its own throttle counters and small, fast throttle limits;
mail tests with committed accounts, a real SMTP server and the worker."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from core.db import Database
from core.settings import Settings
from tests.accounts.mail_support import APP_URL
from tests.graphql_client import GraphQLClient, graphql_client
from tests.smtp_mailbox import Mailbox, smtp_settings


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
async def api(auth_settings: Settings, db: Database) -> AsyncIterator[GraphQLClient]:
    async with graphql_client(auth_settings, db) as client:
        yield client


@pytest.fixture
def mail_settings(jobs_settings: Settings, mailbox: tuple[Mailbox, int]) -> Settings:
    return smtp_settings(jobs_settings, mailbox[1]).model_copy(update={"public_app_url": APP_URL})


@pytest.fixture
async def mail_api(mail_settings: Settings, committed_db: Database) -> AsyncIterator[GraphQLClient]:
    async with graphql_client(mail_settings, committed_db) as client:
        yield client

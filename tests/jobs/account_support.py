"""Fixtures for account mail tests: committed accounts, an SMTP server, the worker, links."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from app.worker_main import build_worker, job_context
from core.db import Database
from core.settings import Settings
from tests.account_builders import Api, account_api
from tests.smtp_mailbox import Mailbox, smtp_settings

APP_URL = "https://shop.anatolia.example"
LINK = re.compile(re.escape(APP_URL) + r"/(accept-invitation|reset-password)\?token=(\S+)")


@pytest.fixture
async def accounts_db(jobs_db: Database) -> AsyncIterator[Database]:
    """The committed jobs database, emptied of accounts after each test."""
    yield jobs_db
    async with jobs_db.transaction() as session:
        await session.execute(
            text(
                "TRUNCATE users, client_companies, audit_entries, api_keys RESTART IDENTITY CASCADE"
            )
        )


@pytest.fixture
def mail_settings(jobs_settings: Settings, mailbox: tuple[Mailbox, int]) -> Settings:
    return smtp_settings(jobs_settings, mailbox[1]).model_copy(update={"public_app_url": APP_URL})


@pytest.fixture
async def api(mail_settings: Settings, accounts_db: Database) -> AsyncIterator[Api]:
    async with account_api(mail_settings, accounts_db) as client:
        yield client


async def run_worker_once(settings: Settings, database: Database) -> None:
    async with job_context(settings, database) as context:
        await build_worker(settings, database, context).run_once()


def mailed_link(box: Mailbox, index: int = -1) -> tuple[str, str]:
    """(page, token) of the link in a received mail."""
    found = LINK.search(box.text(index))
    assert found is not None, box.text(index)
    return found.group(1), found.group(2)

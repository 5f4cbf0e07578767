"""Fixtures of the files tests: the schema an export runs with, and staff who export."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import strawberry

from core.db import Database
from core.settings import Settings
from models.accounts import Role
from schema.build import build_schema
from tests.callers import token_for
from tests.files.csv_export_support import Staff
from tests.graphql_client import graphql_client


@pytest.fixture(scope="module")
def export_schema(settings: Settings) -> strawberry.Schema:
    return build_schema(settings)


@pytest.fixture
async def staff(settings: Settings, db: Database) -> AsyncIterator[Staff]:
    async with db.transaction() as session:
        sales = await token_for(session, settings, Role.SALES)
        finance = await token_for(session, settings, Role.FINANCE)
    async with graphql_client(settings, db) as client:
        yield Staff(sales=client.as_(sales), finance=client.as_(finance))

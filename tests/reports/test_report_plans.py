"""The reports read the indexes made for them, never every row (PostgreSQL).

The statements explained are the reports' own; sequential and bitmap scans are priced out so
that the empty test tables still show which index serves each. Timings on a book of 1,000,000
rows are in docs/api/reports.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from admin_queries.reports import aging, funnel
from auth.policy import ROLE_PERMISSIONS
from auth.principal import Principal, PrincipalKind
from core.db import Database
from core.settings import Settings
from models.accounts import Role
from resolvers.context import Context
from resolvers.reports.periods import day_range
from tests.callers import context_for

FINANCE = Principal(
    kind=PrincipalKind.USER,
    role=Role.FINANCE,
    permissions=ROLE_PERMISSIONS[Role.FINANCE],
    user_id=1,
    mfa_enrolled=True,
    mfa_verified=True,
)
TODAY = datetime.now(UTC).date()


def _nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", []):
        yield from _nodes(child)


async def _indexes(engine: AsyncEngine, statement: Any) -> set[str]:
    async with engine.connect() as connection:
        for setting in ("enable_seqscan", "enable_bitmapscan"):
            await connection.execute(text(f"SET LOCAL {setting} = off"))
        sql = statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
        explained = await connection.scalar(text(f"EXPLAIN (FORMAT JSON) {sql}"))
        await connection.rollback()
    assert explained is not None
    return {
        str(node["Index Name"]) for node in _nodes(explained[0]["Plan"]) if "Index Name" in node
    }


def _context(engine: AsyncEngine, settings: Settings) -> Context:
    return context_for(Database(engine), settings, FINANCE)


@pytest.mark.parametrize("by", list(funnel.FunnelGrouping))
async def test_the_funnel_reads_a_range_of_its_index(
    engine: AsyncEngine, settings: Settings, by: funnel.FunnelGrouping
) -> None:
    start, end = day_range(TODAY - timedelta(days=90), TODAY, settings.reporting_zone)
    statement = funnel.postgresql_statement(by, funnel.submitted_between(start, end))
    # Which of the two indexes leading with created_at wins depends on the visibility map:
    # on a vacuumed table (a real book, bench.reports) the covering one, read without the
    # heap; on a test database other tests have just written to, the narrower one. Either
    # reads only the period's range.
    created_at_indexes = {"ix_inquiries_created_at_funnel", "ix_inquiries_created_at_id"}
    assert await _indexes(engine, statement) & created_at_indexes


async def test_todays_aging_reads_the_receivables_still_owed_only(
    engine: AsyncEngine, settings: Settings
) -> None:
    owed = aging.owed_now(_context(engine, settings))
    statement = select(owed.c.currency, *aging.bucket_sums(owed, TODAY))
    assert await _indexes(engine, statement.group_by(owed.c.currency)) == {"ix_receivables_owed"}


@pytest.mark.parametrize("days_back", [1, 400, 2000])
async def test_a_past_days_aging_reads_the_receivables_owed_then_and_their_entries(
    engine: AsyncEngine, settings: Settings, days_back: int
) -> None:
    ended = datetime.now(UTC) - timedelta(days=days_back)
    owed = aging.owed_when(_context(engine, settings), ended)
    as_of = (ended - timedelta(days=1)).date()
    statement = select(owed.c.currency, *aging.bucket_sums(owed, as_of))
    assert await _indexes(engine, statement.group_by(owed.c.currency)) == {
        "ix_receivables_owed_between",
        "ix_ledger_entries_receivable_id_created_at",
    }

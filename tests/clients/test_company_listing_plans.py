"""The company and receivable listings are served by their indexes (migration 0021): with
sequential scans and sorts priced out, PostgreSQL reads each order through the index named
for it, and finds companies by country and by overdue amount through theirs. It can only do
so when the statement's expression is the index's (the coalesced due date of receivables)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from admin_queries.clients import ORDERS, CompanySort, overdue_at_least
from admin_queries.ledger import BY_DUE_DATE
from core.db import Database
from models.clients import ClientCompany
from models.ledger import Receivable

TODAY = datetime.now(UTC).date()


def _nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", []):
        yield from _nodes(child)


async def _indexes_used(session: AsyncSession, statement: Select[Any]) -> set[str]:
    bind = session.get_bind()
    sql = statement.compile(dialect=bind.dialect, compile_kwargs={"literal_binds": True})
    await session.execute(text("SET LOCAL enable_seqscan = off"))
    await session.execute(text("SET LOCAL enable_sort = off"))
    # An index on a prefix of the order (a unique one) plus an incremental sort is no answer.
    await session.execute(text("SET LOCAL enable_incremental_sort = off"))
    explained = await session.scalar(text(f"EXPLAIN (FORMAT JSON) {sql}"))
    assert explained is not None
    return {node["Index Name"] for node in _nodes(explained[0]["Plan"]) if "Index Name" in node}


@pytest.mark.parametrize(
    ("sort", "index"),
    [
        (CompanySort.NAME, "ix_client_companies_name_id"),
        (CompanySort.CREDIT_USED, "ix_client_companies_credit_used_id"),
        (CompanySort.OVERDUE, "ix_client_companies_overdue_amount_id"),
    ],
)
async def test_each_company_order_pages_through_its_index(
    db: Database, sort: CompanySort, index: str
) -> None:
    statement = select(ClientCompany).order_by(*ORDERS[sort].order_by()).limit(21)
    async with db.session() as session:
        assert index in await _indexes_used(session, statement)


async def test_companies_of_a_country_come_by_name_through_its_index(db: Database) -> None:
    statement = (
        select(ClientCompany)
        .where(col(ClientCompany.country) == "DE")
        .order_by(*ORDERS[CompanySort.NAME].order_by())
        .limit(21)
    )
    async with db.session() as session:
        assert "ix_client_companies_country_name_id" in await _indexes_used(session, statement)


async def test_the_overdue_filter_reads_the_stored_figure_and_the_overtaken_by_index(
    db: Database,
) -> None:
    statement = select(ClientCompany).where(overdue_at_least(Decimal("100"), TODAY)).limit(21)
    async with db.session() as session:
        used = await _indexes_used(session, statement)
    assert {"ix_client_companies_overdue_amount_id", "ix_client_companies_next_due_on"} <= used


async def test_receivables_page_by_due_date_through_the_coalesced_index(db: Database) -> None:
    statement = select(Receivable).order_by(*BY_DUE_DATE.order_by()).limit(21)
    async with db.session() as session:
        assert "ix_receivables_due_key_id" in await _indexes_used(session, statement)

"""Receivables aging of the demo order book, on days across its history, equals the
recomputation from its ledger entries: the `settled_at` the seeder writes (as the ledger's
handler does) finds exactly the receivables owed on each day."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlmodel import col, select

from app.cli.seed_commands import seed_demo
from app.demo_orders.seeding import seed_order_book
from core.db import Database
from core.settings import Settings
from models.accounts import Role
from models.clients import ClientCompany
from models.ledger import LedgerEntry, Receivable
from tests.callers import token_for
from tests.graphql_client import graphql_client
from tests.reports.test_receivables_aging import (
    TODAY,
    Posted,
    _aging,
    _expected,
    _sorted_like_report,
)


async def _posted(db: Database) -> list[Posted]:
    """Every receivable of the book with its client's name and its entries."""
    async with db.session() as session:
        entries: defaultdict[int | None, list[tuple[datetime, Decimal]]] = defaultdict(list)
        for receivable_id, moment, amount in await session.execute(
            select(
                col(LedgerEntry.receivable_id), col(LedgerEntry.created_at), col(LedgerEntry.amount)
            )
        ):
            assert moment is not None
            entries[receivable_id].append((moment, amount))
        rows = await session.execute(
            select(Receivable, col(ClientCompany.name)).join(
                ClientCompany, col(ClientCompany.id) == col(Receivable.client_company_id)
            )
        )
        return [Posted(receivable, name, entries[receivable.id]) for receivable, name in rows]


@pytest.mark.slow
async def test_the_aging_of_the_seeded_book_on_any_day_equals_a_recomputation(
    db: Database, settings: Settings
) -> None:
    # given a book of 400 orders over three years, its receivables posted as the ledger does
    await seed_demo(db, products=30)
    await seed_order_book(db, orders=400, settings=settings)
    books = await _posted(db)
    async with db.transaction() as session:
        token = await token_for(session, settings, Role.FINANCE)
    async with graphql_client(settings, db) as api:
        for days_back in (0, 1, 45, 200, 500, 900):
            as_of = TODAY - timedelta(days=days_back)
            # when finance asks for the aging of that day, every row at once
            report = await _aging(api, token, asOf=as_of.isoformat(), first=100)
            # then it is what the entries posted by then add up to
            rows, totals = _expected(books, as_of)
            assert rows, days_back  # the book owes something on each of these days
            assert len(rows) <= 100
            assert _sorted_like_report(report["rows"]) == _sorted_like_report(rows), days_back
            assert {row["currency"]: row for row in report["totals"]} == totals, days_back

"""`tradeql clients roll-overdue`: the overdue figure stored for sorting catches up with the
date, and nothing else changes: the exact figure of every company stays what it was."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlmodel import col, select

from core.db import Database
from core.settings import Settings
from models.clients import ClientCompany, ClientDue
from resolvers.orders.standing import overdue_on
from tests.callers import make_client_company
from tests.cli_runner import run_tradeql

TODAY = datetime.now(UTC).date()


async def _company(db: Database, name: str, overdue: str, dues: dict[int, str]) -> ClientCompany:
    days = {TODAY + timedelta(days=offset): Decimal(amount) for offset, amount in dues.items()}
    async with db.transaction() as session:
        company = await make_client_company(
            session, name=name, overdue_amount=Decimal(overdue), next_due_on=min(days)
        )
        assert company.id is not None
        session.add_all(
            ClientDue(company_id=company.id, due_date=day, amount=amount)
            for day, amount in days.items()
        )
    return company


async def _figures(db: Database, company: ClientCompany) -> tuple[Decimal, date | None, Decimal]:
    """(stored overdue, next due date, exact overdue today)."""
    async with db.session() as session:
        row = await session.get(ClientCompany, company.id, populate_existing=True)
        assert row is not None
        dues = list(
            await session.scalars(select(ClientDue).where(col(ClientDue.company_id) == row.id))
        )
    return row.overdue_amount, row.next_due_on, overdue_on(row, dues, TODAY)


async def test_roll_overdue_stores_the_dues_time_has_passed_and_nothing_else(
    committed_db: Database, committed_settings: Settings
) -> None:
    # given a company whose dues of two and one days ago have passed since its last write,
    # and one whose next due date is tomorrow
    overtaken = await _company(
        committed_db, "Late", "100.00", {-2: "50.00", -1: "5.00", 3: "30.00"}
    )
    current = await _company(committed_db, "On time", "7.00", {1: "20.00"})
    env = {"ENV": "test", "DATABASE_URL": committed_settings.database_url}

    # when an operator rolls overdue figures forward, twice
    first = await asyncio.to_thread(run_tradeql, ["clients", "roll-overdue"], env=env)
    second = await asyncio.to_thread(run_tradeql, ["clients", "roll-overdue"], env=env)

    # then the overtaken company's stored figure is today's, its next due date the one left
    assert (first.returncode, first.stdout) == (0, "rolled 1 company(ies) forward\n")
    assert await _figures(committed_db, overtaken) == (
        Decimal("155.00"),
        TODAY + timedelta(days=3),
        Decimal("155.00"),
    )
    # and the other is untouched, and a second run finds nothing to do
    assert await _figures(committed_db, current) == (
        Decimal("7.00"),
        TODAY + timedelta(days=1),
        Decimal("7.00"),
    )
    assert (second.returncode, second.stdout) == (0, "rolled 0 company(ies) forward\n")

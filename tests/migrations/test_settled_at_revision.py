"""Revision 0028 on receivables written before it: each one with nothing owed is settled at
its latest entry's moment, those still owed stay unsettled, on each dialect; and back down."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import DateTime, TextClause, bindparam, text

from tests.databases import create_pg_database, database_url, drop_pg_database
from tests.migrations.test_migrations import connect, migrate

INVOICED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PAID = datetime(2026, 4, 20, 15, 30, tzinfo=UTC)
PAID_OFF = datetime(2026, 5, 11, 8, 15, tzinfo=UTC)
COMPANY = (
    "INSERT INTO client_companies (id, name, country, tax_id, credit_limit, credit_currency, "
    "advance_percent, balance_due_on, net_days, preferred_currency, preferred_incoterm, "
    "version, credit_used, overdue_amount) "
    "VALUES (1, 'Hanse', 'DE', '', 5000, 'USD', 0, 'invoice', 30, 'USD', 'FOB', 1, 0, 0)"
)
# id, balance, status, its entries (moment, kind, amount)
RECEIVABLES = [
    (1, "600", "partly_settled", [(INVOICED, "invoice", "1000"), (PAID, "payment", "-400")]),
    (2, "0", "settled", [(INVOICED, "invoice", "1000"), (PAID, "payment", "-400"),
                         (PAID_OFF, "payment", "-600")]),
    (3, "0", "reversed", [(INVOICED, "invoice", "1000"), (PAID, "reversal", "-1000")]),
    (4, "1000", "open", [(INVOICED, "invoice", "1000")]),
]  # fmt: skip


def _at(statement: str) -> TextClause:
    return text(statement).bindparams(bindparam("at", type_=DateTime(timezone=True)))


async def _receivables_before_settlement(url: str) -> None:
    async with connect(url) as connection:
        await connection.execute(text(COMPANY))
        event = 0
        for pk, balance, status, entries in RECEIVABLES:
            await connection.execute(
                text(
                    "INSERT INTO orders (id, client_company_id, request_hash, status, "
                    "payment_status, currency, incoterm, named_place, shipping_address, note, "
                    "total, amount_paid, credit_currency, fx_rate, cancel_reason, version) "
                    "VALUES (:id, 1, '', 'confirmed', 'unpaid', 'USD', 'FOB', '', '{}', '', "
                    "1000, 0, 'USD', 1, '', 1)"
                ),
                {"id": pk},
            )
            await connection.execute(
                _at(
                    "INSERT INTO receivables (id, order_id, client_company_id, currency, amount, "
                    "balance, advance_amount, status, created_at, updated_at) VALUES (:id, :id, "
                    "1, 'USD', 1000, :balance, 0, :status, :at, :at)"
                ),
                {"id": pk, "balance": balance, "status": status, "at": INVOICED},
            )
            for moment, kind, amount in entries:
                event += 1
                await connection.execute(
                    _at(
                        "INSERT INTO outbox_events (id, event_type, payload, state, attempts, "
                        "available_at, created_at) VALUES (:id, 'order.confirmed', '{}', "
                        "'done', 1, :at, :at)"
                    ),
                    {"id": event, "at": moment},
                )
                await connection.execute(
                    _at(
                        "INSERT INTO ledger_entries (receivable_id, kind, amount, currency, "
                        "event_id, created_at) VALUES (:receivable, :kind, :amount, 'USD', "
                        ":event, :at)"
                    ),
                    {"receivable": pk, "kind": kind, "amount": amount, "event": event,
                     "at": moment},
                )  # fmt: skip
        await connection.commit()


@pytest.mark.slow
async def test_receivables_with_nothing_owed_are_settled_at_their_latest_entry(
    tmp_path: Path,
) -> None:
    name = await asyncio.to_thread(create_pg_database, "settled_at")
    try:
        for url in (database_url(name), f"sqlite+aiosqlite:///{tmp_path}/settled_at.db"):
            # given receivables written at revision 0027: owed, paid off, reversed, unpaid
            await migrate(url, "upgrade", "0027")
            await _receivables_before_settlement(url)
            # when the database is upgraded to 0028
            await migrate(url, "upgrade", "0028")
            async with connect(url) as connection:
                rows = (
                    await connection.execute(
                        text("SELECT id, settled_at FROM receivables ORDER BY id")
                    )
                ).all()
            # then the paid-off one is settled by its last payment, the reversed one by its
            # reversal, and those still owed are not settled
            settled = {pk: None if at is None else str(at)[:16] for pk, at in rows}
            assert settled == {1: None, 2: "2026-05-11 08:15", 3: "2026-04-20 15:30", 4: None}
            # and the revision goes back down, keeping every receivable and entry
            await migrate(url, "downgrade", "0027")
            async with connect(url) as connection:
                counts = (
                    await connection.execute(
                        text(
                            "SELECT (SELECT count(*) FROM receivables), "
                            "(SELECT count(*) FROM ledger_entries)"
                        )
                    )
                ).one()
            assert tuple(counts) == (4, 8)
    finally:
        await asyncio.to_thread(drop_pg_database, name)

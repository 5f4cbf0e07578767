"""Revision 0029 on quotes and orders written before it: each quote takes its inquiry's
incoterm and place and its company's terms (a guest's the default ones), each order its
company's terms, none has charges; on each dialect, and back down."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.databases import create_pg_database, database_url, drop_pg_database
from tests.migrations.test_migrations import connect, migrate

BEFORE = [
    "INSERT INTO client_companies (id, name, country, tax_id, credit_limit, credit_currency, "
    "advance_percent, balance_due_on, net_days, preferred_currency, preferred_incoterm, "
    "version, credit_used, overdue_amount) VALUES (1, 'Hanse', 'DE', '', 5000, 'USD', 20, "
    "'bill_of_lading', 45, 'USD', 'FOB', 1, 0, 0)",
    "INSERT INTO leads (id, email, company_name, contact_name, country) "
    "VALUES (1, 'ayse@demir.example', 'Demir Tekstil', 'Ayse', 'TR')",
    "INSERT INTO inquiries (id, client_company_id, lead_id, incoterm, named_place, message, "
    "status, lost_reason, source, version) VALUES "
    "(1, 1, NULL, 'FOB', 'Nhava Sheva', '', 'quoted', '', 'client_user', 2), "
    "(2, NULL, 1, 'CIF', 'Mersin', '', 'quoted', '', 'storefront_guest', 2)",
    "INSERT INTO quotes (id, inquiry_id, revision, status, currency, valid_until, "
    "lead_time_days, notes, changes, total) VALUES "
    "(1, 1, 1, 'converted', 'USD', '2026-12-31', 30, '', '{}', 900), "
    "(2, 2, 1, 'open', 'USD', '2026-12-31', 30, '', '{}', 450)",
    "INSERT INTO orders (id, client_company_id, quote_id, request_hash, status, "
    "payment_status, currency, incoterm, named_place, shipping_address, note, total, "
    "amount_paid, credit_currency, fx_rate, cancel_reason, version) VALUES (1, 1, 1, '', "
    "'confirmed', 'unpaid', 'USD', 'FOB', 'Nhava Sheva', '{}', '', 900, 0, 'USD', 1, '', 2)",
]


async def _write(url: str, statements: list[str]) -> None:
    async with connect(url) as connection:
        for statement in statements:
            await connection.execute(text(statement))
        await connection.commit()


@pytest.mark.slow
async def test_quotes_and_orders_take_their_inquiry_and_company_terms(tmp_path: Path) -> None:
    name = await asyncio.to_thread(create_pg_database, "trade_terms")
    try:
        for url in (database_url(name), f"sqlite+aiosqlite:///{tmp_path}/trade_terms.db"):
            # given a client's quote and order and a guest's quote written at revision 0028
            await migrate(url, "upgrade", "0028")
            await _write(url, BEFORE)
            # when the database is upgraded to 0029
            await migrate(url, "upgrade", "0029")
            async with connect(url) as connection:
                quotes = (
                    await connection.execute(
                        text(
                            "SELECT id, incoterm, named_place, advance_percent, balance_due_on, "
                            "net_days, charges_total, total FROM quotes ORDER BY id"
                        )
                    )
                ).all()
                order = (
                    await connection.execute(
                        text(
                            "SELECT advance_percent, balance_due_on, net_days, charges_total, "
                            "total FROM orders"
                        )
                    )
                ).one()
            # then the client's quote has the inquiry's terms of trade and the company's
            # payment terms, the guest's the default terms, and neither has charges
            assert [tuple(row) for row in quotes] == [
                (1, "FOB", "Nhava Sheva", 20, "bill_of_lading", 45, 0, 900),
                (2, "CIF", "Mersin", 0, "invoice", 30, 0, 450),
            ]
            # and the order is under its company's terms, its total unchanged
            assert tuple(order) == (20, "bill_of_lading", 45, 0, 900)
            # and a second freight charge on one quote is refused by the database
            await _write(
                url,
                ["INSERT INTO quote_charges (id, quote_id, kind, amount, description, position) "
                 "VALUES (1, 2, 'freight', 100, '', 0), (2, 2, 'insurance', 5, '', 1), "
                 "(3, 2, 'other', 1, 'a', 2), (4, 2, 'other', 2, 'b', 3)"],
            )  # fmt: skip
            with pytest.raises(Exception, match=r"(?i)unique"):
                await _write(
                    url,
                    ["INSERT INTO quote_charges (id, quote_id, kind, amount, description, "
                     "position) VALUES (5, 2, 'freight', 7, '', 4)"],
                )  # fmt: skip
            # and the revision goes back down, keeping every quote and order
            await migrate(url, "downgrade", "0028")
            async with connect(url) as connection:
                counts = (
                    await connection.execute(
                        text("SELECT (SELECT count(*) FROM quotes), (SELECT count(*) FROM orders)")
                    )
                ).one()
            assert tuple(counts) == (2, 1)
    finally:
        await asyncio.to_thread(drop_pg_database, name)

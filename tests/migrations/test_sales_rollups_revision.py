"""Revision 0025 on books written before it: every order line is kept, without a cost
(never today's), the rollups start empty, and the way back drops only what it added."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.databases import create_pg_database, database_url, drop_pg_database
from tests.migrations.test_migrations import connect, migrate

BOOK = (
    "INSERT INTO categories (id, name, slug, description, position, version) "
    "VALUES (1, 'Towels', 'towels', '', 0, 1)",
    "INSERT INTO product_types (id, name, slug, description, version) "
    "VALUES (1, 'Fabric', 'fabric', '', 1)",
    "INSERT INTO products (id, product_type_id, category_id, name, slug, description, hs_code, "
    "country_of_origin, moq, lead_time_days, incoterms, specs, status, version) VALUES "
    "(1, 1, 1, 'Towel', 'towel', '', '630260', 'IN', 1, 30, '[\"FOB\"]', '{}', 'active', 1)",
    "INSERT INTO variants (id, product_id, sku, name, option_values, units_per_carton, "
    "stock_on_hand, stock_reserved, version, cost_price, cost_currency) VALUES "
    "(1, 1, 'TWL-1', '', '{}', 1, 100, 0, 1, 2.5, 'USD')",
    "INSERT INTO client_companies (id, name, country, tax_id, credit_limit, credit_currency, "
    "advance_percent, balance_due_on, net_days, preferred_currency, preferred_incoterm, "
    "version, credit_used, overdue_amount) "
    "VALUES (1, 'Hanse', 'DE', '', 5000, 'USD', 0, 'invoice', 30, 'USD', 'FOB', 1, 0, 0)",
    "INSERT INTO orders (id, client_company_id, request_hash, status, payment_status, currency, "
    "incoterm, named_place, shipping_address, note, total, amount_paid, credit_currency, "
    "fx_rate, cancel_reason, version) VALUES (1, 1, '', 'placed', 'unpaid', 'USD', 'FOB', '', "
    "'{}', '', 40, 0, 'USD', 1, '', 1)",
    "INSERT INTO order_lines (id, order_id, variant_id, sku, product_name, quantity, "
    "unit_price, line_total, position) VALUES (1, 1, 1, 'TWL-1', 'Towel', 10, 4, 40, 0)",
)


@pytest.mark.slow
async def test_lines_written_before_the_revision_stay_without_cost(tmp_path: Path) -> None:
    name = await asyncio.to_thread(create_pg_database, "sales_rollups")
    try:
        for url in (database_url(name), f"sqlite+aiosqlite:///{tmp_path}/rollups.db"):
            # given an order line written at revision 0024, its variant costing 2.50 USD now
            await migrate(url, "upgrade", "0024")
            async with connect(url) as connection:
                for statement in BOOK:
                    await connection.execute(text(statement))
                await connection.commit()
            # when the database is upgraded to 0025
            await migrate(url, "upgrade", "0025")
            async with connect(url) as connection:
                line = (
                    await connection.execute(
                        text("SELECT sku, quantity, unit_cost, cost_currency FROM order_lines")
                    )
                ).all()
                rollups = await connection.scalar(text("SELECT count(*) FROM sales_months"))
            # then the line is kept, without the cost its variant has today
            assert [tuple(row) for row in line] == [("TWL-1", 10, None, None)]
            # and the rollups are empty until `tradeql reports rebuild`
            assert rollups == 0
            # when it is downgraded again, then the line is still there
            await migrate(url, "downgrade", "0024")
            async with connect(url) as connection:
                kept = await connection.scalar(text("SELECT count(*) FROM order_lines"))
            assert kept == 1
    finally:
        await asyncio.to_thread(drop_pg_database, name)

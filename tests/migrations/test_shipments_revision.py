"""Revision 0032 on shipments written before it: each order's earliest shipment carries all
its lines; the shipments of an order shipped or delivered departed when it shipped (their
B/L that day) and its lines are shipped; a shipment of an order not shipped yet stays
booked; receivables are kept as they are, on each dialect; and back down."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import DateTime, TextClause, bindparam, text

from tests.databases import create_pg_database, database_url, drop_pg_database
from tests.migrations.test_migrations import connect, migrate

CATALOG = (
    "INSERT INTO categories (id, name, slug, description, position, version) "
    "VALUES (1, 'Towels', 'towels', '', 0, 1)",
    "INSERT INTO product_types (id, name, slug, description, version) "
    "VALUES (1, 'Fabric', 'fabric', '', 1)",
    "INSERT INTO products (id, product_type_id, category_id, name, slug, description, hs_code, "
    "country_of_origin, moq, lead_time_days, incoterms, specs, status, version) VALUES "
    "(1, 1, 1, 'Towel', 'towel', '', '630260', 'IN', 1, 30, '[\"FOB\"]', '{}', 'active', 1)",
    "INSERT INTO variants (id, product_id, sku, name, option_values, units_per_carton, "
    "stock_on_hand, stock_reserved, version, cost_price, cost_currency) VALUES "
    "(1, 1, 'TWL-1', '', '{}', 1, 100, 0, 1, 2.5, 'USD'), "
    "(2, 1, 'TWL-2', '', '{}', 1, 100, 0, 1, 2.5, 'USD')",
    "INSERT INTO client_companies (id, name, country, tax_id, credit_limit, credit_currency, "
    "advance_percent, balance_due_on, net_days, preferred_currency, preferred_incoterm, "
    "version, credit_used, overdue_amount) "
    "VALUES (1, 'Hanse', 'DE', '', 5000, 'USD', 0, 'bill_of_lading', 30, 'USD', 'FOB', 1, 0, 0)",
)
# id, status, shipped at: shipped with two shipments, confirmed with one, delivered with
# none, confirmed with none.
ORDERS = (
    (1, "shipped", datetime(2026, 11, 2, 6, 30, tzinfo=UTC)),
    (2, "confirmed", None),
    (3, "delivered", datetime(2026, 10, 1, 8, 0, tzinfo=UTC)),
    (4, "confirmed", None),
)
# id, order, variant, quantity
LINES = ((1, 1, 1, 10), (2, 1, 2, 6), (3, 2, 1, 4), (4, 3, 1, 7), (5, 4, 2, 3))
# id, order, created at
SHIPMENTS = (
    (1, 1, datetime(2026, 10, 30, 10, 0, tzinfo=UTC)),
    (2, 1, datetime(2026, 10, 31, 10, 0, tzinfo=UTC)),
    (3, 2, datetime(2026, 11, 5, 10, 0, tzinfo=UTC)),
)


def _moments(statement: str, name: str) -> TextClause:
    return text(statement).bindparams(bindparam(name, type_=DateTime(timezone=True)))


async def _books_before(url: str) -> None:
    async with connect(url) as connection:
        for statement in CATALOG:
            await connection.execute(text(statement))
        for pk, status, shipped_at in ORDERS:
            await connection.execute(
                _moments(
                    "INSERT INTO orders (id, client_company_id, request_hash, status, "
                    "payment_status, currency, incoterm, named_place, shipping_address, note, "
                    "total, amount_paid, credit_currency, fx_rate, cancel_reason, version, "
                    "shipped_at) VALUES (:id, 1, '', :status, 'unpaid', 'USD', 'FOB', '', '{}', "
                    "'', 100, 0, 'USD', 1, '', 1, :shipped_at)",
                    "shipped_at",
                ),
                {"id": pk, "status": status, "shipped_at": shipped_at},
            )
        for pk, order, variant, quantity in LINES:
            await connection.execute(
                text(
                    "INSERT INTO order_lines (id, order_id, variant_id, sku, product_name, "
                    "quantity, unit_price, line_total, position) VALUES (:id, :order, "
                    ":variant, 'TWL', 'Towel', :quantity, 4, :total, :position)"
                ),
                {"id": pk, "order": order, "variant": variant, "quantity": quantity,
                 "total": 4 * quantity, "position": pk},
            )  # fmt: skip
        for pk, order, created_at in SHIPMENTS:
            await connection.execute(
                _moments(
                    "INSERT INTO shipments (id, order_id, client_company_id, reference, note, "
                    "created_at) VALUES (:id, :order, 1, '', '', :created_at)",
                    "created_at",
                ),
                {"id": pk, "order": order, "created_at": created_at},
            )
        await connection.execute(
            text(
                "INSERT INTO shipment_legs (shipment_id, sequence, carrier, mode, "
                "transport_document_number, container_number, vessel_or_flight, origin, "
                "destination) VALUES (1, 1, 'Maersk', 'sea', '', '', '', '', '')"
            )
        )
        await connection.execute(
            text(
                "INSERT INTO receivables (id, order_id, client_company_id, currency, amount, "
                "balance, advance_amount, due_date, status) VALUES (1, 1, 1, 'USD', 100, 100, 0, "
                "'2026-12-02', 'open')"
            )
        )
        await connection.commit()


async def _rows(url: str, query: str) -> list[tuple[object, ...]]:
    async with connect(url) as connection:
        return [tuple(row) for row in (await connection.execute(text(query))).all()]


@pytest.mark.slow
async def test_shipments_before_the_revision_become_whole_order_shipments(
    tmp_path: Path,
) -> None:
    name = await asyncio.to_thread(create_pg_database, "shipments_revision")
    try:
        for url in (database_url(name), f"sqlite+aiosqlite:///{tmp_path}/shipments.db"):
            # given orders and shipments written at revision 0028
            await migrate(url, "upgrade", "0028")
            await _books_before(url)
            # when the database is upgraded to 0032
            await migrate(url, "upgrade", "0032")

            # then each order's earliest shipment carries all its lines, the later none
            carried = await _rows(
                url,
                "SELECT shipment_id, order_line_id, quantity FROM shipment_lines "
                "ORDER BY shipment_id, order_line_id",
            )
            assert carried == [(1, 1, 10), (1, 2, 6), (3, 3, 4)]
            # and the shipped order's shipments departed when it shipped, B/L that day;
            # the confirmed order's stays booked
            shipments = await _rows(
                url,
                "SELECT id, status, departed_at, bill_of_lading_date FROM shipments ORDER BY id",
            )
            assert [(pk, status) for pk, status, _at, _bl in shipments] == [
                (1, "departed"),
                (2, "departed"),
                (3, "booked"),
            ]
            assert [str(at)[:16] for _pk, _status, at, _bl in shipments[:2]] == [
                "2026-11-02 06:30",
                "2026-11-02 06:30",
            ]
            assert [str(bl) for *_rest, bl in shipments] == ["2026-11-02", "2026-11-02", "None"]
            # and the lines of orders shipped or delivered are shipped, the others not
            shipped = await _rows(url, "SELECT id, shipped_quantity FROM order_lines ORDER BY id")
            assert shipped == [(1, 10), (2, 6), (3, 0), (4, 7), (5, 0)]
            # and legs have no voyage yet, the receivable is kept as it was
            assert await _rows(url, "SELECT voyage FROM shipment_legs") == [("",)]
            receivables = await _rows(
                url, "SELECT id, order_id, shipment_id, balance FROM receivables"
            )
            assert [(pk, order, shipment) for pk, order, shipment, _ in receivables] == [
                (1, 1, None)
            ]

            # and the revision goes back down, keeping every order, line and shipment
            await migrate(url, "downgrade", "0028")
            counts = await _rows(
                url,
                "SELECT (SELECT count(*) FROM orders), (SELECT count(*) FROM order_lines), "
                "(SELECT count(*) FROM shipments), (SELECT count(*) FROM receivables)",
            )
            assert counts == [(4, 5, 3, 1)]
    finally:
        await asyncio.to_thread(drop_pg_database, name)

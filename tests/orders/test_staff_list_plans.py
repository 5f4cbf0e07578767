"""The staff lists' sorts read an index range, never sort every order or inquiry (PostgreSQL).

The statements explained are the pages the lists send after a cursor, built from the same
`KeysetOrder`s; sequential and bitmap scans and sorts are priced out, so that the test tables,
nearly empty and filled by other tests running alongside, still show which index serves each
order whatever their statistics say: a sort then appears only where no index gives the order.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from admin_queries import inquiries as staff_inquiries
from admin_queries import orders as staff_orders
from models.inquiries import Inquiry
from models.orders import Order

MOMENT = datetime(2026, 11, 1, 9, tzinfo=UTC)
ORDER_SORTS = {
    staff_orders.StaffOrderSort.PLACED_NEWEST: ("ix_orders_created_at_id", (MOMENT, 7)),
    staff_orders.StaffOrderSort.PLACED_OLDEST: ("ix_orders_created_at_id", (MOMENT, 7)),
    staff_orders.StaffOrderSort.TOTAL_HIGHEST: ("ix_orders_total_id", (Decimal("9.50"), 7)),
    staff_orders.StaffOrderSort.TOTAL_LOWEST: ("ix_orders_total_id", (Decimal("9.50"), 7)),
    staff_orders.StaffOrderSort.STATUS: ("ix_orders_status_created_at_id", ("paid", MOMENT, 7)),
}
INQUIRY_SORTS = {
    staff_inquiries.StaffInquirySort.OLDEST_FIRST: "ix_inquiries_created_at_id",
    staff_inquiries.StaffInquirySort.NEWEST_FIRST: "ix_inquiries_created_at_id",
}


def _nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", []):
        yield from _nodes(child)


async def _plan(engine: AsyncEngine, statement: Any) -> list[dict[str, Any]]:
    async with engine.connect() as connection:
        for setting in (
            "enable_seqscan",
            "enable_bitmapscan",
            "enable_sort",
            "enable_incremental_sort",
        ):
            await connection.execute(text(f"SET LOCAL {setting} = off"))
        sql = statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
        explained = await connection.scalar(text(f"EXPLAIN (FORMAT JSON) {sql}"))
        await connection.rollback()
    assert explained is not None
    return list(_nodes(explained[0]["Plan"]))


@pytest.mark.parametrize("sort", list(ORDER_SORTS))
async def test_each_order_sort_reads_its_index_in_order(
    engine: AsyncEngine, sort: staff_orders.StaffOrderSort
) -> None:
    index, last_row = ORDER_SORTS[sort]
    order = staff_orders.ORDERS[sort]
    page = (
        select(Order)
        .where(order.after(order.cursor(last_row)))
        .order_by(*order.order_by())
        .limit(21)
    )
    nodes = await _plan(engine, page)
    assert index in {node.get("Index Name") for node in nodes}, nodes
    assert "Sort" not in {node["Node Type"] for node in nodes}, "the index gives the order"


@pytest.mark.parametrize("sort", list(INQUIRY_SORTS))
async def test_each_inquiry_age_sort_reads_its_index_in_order(
    engine: AsyncEngine, sort: staff_inquiries.StaffInquirySort
) -> None:
    order = staff_inquiries.ORDERS[sort]
    page = (
        select(Inquiry)
        .where(order.after(order.cursor((MOMENT, 7))))
        .order_by(*order.order_by())
        .limit(21)
    )
    nodes = await _plan(engine, page)
    assert INQUIRY_SORTS[sort] in {node.get("Index Name") for node in nodes}, nodes
    assert "Sort" not in {node["Node Type"] for node in nodes}

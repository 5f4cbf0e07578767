"""Stock held by the book's open orders: each open order reserves its lines as placement
does, through the stock ledger, receiving goods first where the shelf would run short."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.demo_orders.book import OpenLine
from app.demo_orders.bulk_writes import BulkWriter
from app.demo_orders.rows import STOCK_MOVEMENT_COLUMNS, Row
from core.db import CATALOG_CHANGED
from models.base import metadata
from models.catalog.stock import StockMovementKind

VARIANTS = metadata.tables["variants"]
RECEIVED_FOR_ORDERS = "goods received for open orders (seed-demo)"
# A receipt covers the order short of stock and as much again, as a buyer would restock.
RESTOCK_FACTOR = 2


async def reserve_open_orders(
    session: AsyncSession, writer: BulkWriter, open_lines: Sequence[OpenLine]
) -> int:
    """Reserve the open lines in placement order; how many stock movements were written."""
    variant_ids = sorted({line.variant_id for line in open_lines})
    if not variant_ids:
        return 0
    found = await session.execute(
        select(VARIANTS.c.id, VARIANTS.c.stock_on_hand, VARIANTS.c.stock_reserved).where(
            VARIANTS.c.id.in_(variant_ids)
        )
    )
    stock = {variant_id: [on_hand, reserved] for variant_id, on_hand, reserved in found}
    movements: list[Row] = []
    next_id = await writer.first_free_id("stock_movements")
    for line in sorted(open_lines, key=lambda open_line: (open_line.placed_at, open_line.order_id)):
        levels = stock[line.variant_id]
        short = line.quantity - (levels[0] - levels[1])
        if short > 0:
            received = short * RESTOCK_FACTOR
            levels[0] += received
            movements.append((
                next_id, line.variant_id, StockMovementKind.RECEIVED.value, received, 0,
                levels[0], levels[1], RECEIVED_FOR_ORDERS, None, line.placed_at,
            ))  # fmt: skip
            next_id += 1
        levels[1] += line.quantity
        movements.append((
            next_id, line.variant_id, StockMovementKind.RESERVED.value, 0, line.quantity,
            levels[0], levels[1], "", line.order_id, line.placed_at,
        ))  # fmt: skip
        next_id += 1
    await writer.write("stock_movements", STOCK_MOVEMENT_COLUMNS, movements)
    # Stock shows in catalog reads: the commit must invalidate cached ones.
    session.info[CATALOG_CHANGED] = True
    await session.execute(
        update(VARIANTS)
        .where(VARIANTS.c.id == bindparam("variant"))
        .values(stock_on_hand=bindparam("on_hand"), stock_reserved=bindparam("reserved"))
        .execution_options(synchronize_session=False),
        [
            {"variant": variant_id, "on_hand": on_hand, "reserved": reserved}
            for variant_id, (on_hand, reserved) in stock.items()
        ],
    )
    return len(movements)

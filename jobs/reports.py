"""Report rollups kept current by the outbox: an order's sales when it is placed or
cancelled, and every month since a backdated exchange rate took effect.

Both handlers are idempotent by construction rather than by a claimed effect: the order's
mark row says whether it is counted, and a rebuild recomputes from the orders, so a
redelivered or reordered event changes nothing (resolvers/reports/sales_rollups.py).
"""

from __future__ import annotations

from datetime import datetime

from core import event_types
from core.global_id import decode_typed_id
from jobs.context import JobContext
from jobs.registry import HandlerRegistry
from models.outbox import OutboxEvent
from resolvers.reports.periods import month_of
from resolvers.reports.sales_rollups import rebuild_sales, sync_order_sales

SYNC_ORDER_SALES = "reports.sync_order_sales"
REBUILD_SALES = "reports.rebuild_sales"
# The events after which an order counts as a sale, or stops counting: its placement and
# its cancellation (no other transition changes its lines, its total or whether it counts).
ORDER_SALES_EVENTS = (event_types.ORDER_PLACED, event_types.ORDER_CANCELLED)


def register(registry: HandlerRegistry) -> None:
    registry.register(SYNC_ORDER_SALES, ORDER_SALES_EVENTS)(sync_order)
    registry.register(REBUILD_SALES, (event_types.FX_RATES_BACKDATED,))(rebuild_after_rates)


async def sync_order(event: OutboxEvent, context: JobContext) -> None:
    order_id = decode_typed_id(str(event.payload["order_id"]), "Order", argument="order_id")
    async with context.database.transaction() as session:
        await sync_order_sales(session, order_id, settings=context.settings)


async def rebuild_after_rates(event: OutboxEvent, context: JobContext) -> None:
    effective_at = datetime.fromisoformat(str(event.payload["effective_at"]))
    month = month_of(effective_at, context.settings.reporting_zone)
    async with context.database.transaction() as session:
        await rebuild_sales(session, month, settings=context.settings)

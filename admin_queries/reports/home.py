"""The home screen's own figure, the shipments due this week, and its week; the others are
the reports' own (`sales`, `funnel`, `aging`, `coverage`), each read only when asked for.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import col, func, select

from admin_queries.shipments import ETA_KEY
from models.orders import Order, OrderStatus
from models.shipments import Shipment
from resolvers.context import Context
from resolvers.reports.periods import day_range

# A shipment still arriving: its order is neither delivered nor cancelled.
_ARRIVED_OR_VOID = (OrderStatus.DELIVERED, OrderStatus.CANCELLED)


def week_of(day: date) -> tuple[date, date]:
    """The Monday and the Sunday of the week `day` falls in."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


async def shipments_arriving(ctx: Context, today: date, zone: ZoneInfo) -> int:
    """Shipments whose arrival (their last leg's ETA) falls in this local week, Monday to
    Sunday, and whose order is not yet delivered nor cancelled; a range on the ETA index."""
    start, end = _week_bounds(today, zone)
    count = await ctx.session.scalar(
        select(func.count())
        .select_from(Shipment)
        .join(Order, col(Order.id) == col(Shipment.order_id))
        .where(start <= ETA_KEY, end > ETA_KEY, col(Order.status).not_in(_ARRIVED_OR_VOID))
    )
    return int(count or 0)


def _week_bounds(today: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    monday, sunday = week_of(today)
    return day_range(monday, sunday, zone)

"""What a shipment carries: quantities of its order's lines, never more than is left to book.

A line's units left to book are its quantity less what all its shipments carry (booked or
departed). The caller holds the order row locked (`lock_for_no_key_update`) while it reads
them and writes the shipment's lines, so two bookings of one order apply one after the
other and together never carry more than the order holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, func, select

from core.outcomes import Issue, UserErrorCode, refuse
from models.orders import MAX_QUANTITY, OrderLine
from models.shipments import ShipmentLine
from resolvers.outcomes import pk_of

MAX_SHIPMENT_LINES = 500


@dataclass(frozen=True)
class ShipmentLineRequest:
    order_line_id: str  # global id of an OrderLine
    quantity: int


def check_shipment_lines(lines: Sequence[ShipmentLineRequest] | None) -> list[Issue]:
    """The shape of the lines alone (the order decides the rest, under its lock)."""
    at = ("input", "lines")
    if lines is None:
        return []
    if not lines:
        return [Issue(at, UserErrorCode.NO_ITEMS, "leave lines out to ship all that is left")]
    if len(lines) > MAX_SHIPMENT_LINES:
        return [Issue(at, UserErrorCode.TOO_MANY_ITEMS, f"at most {MAX_SHIPMENT_LINES} lines")]
    issues: list[Issue] = []
    seen: set[str] = set()
    for index, line in enumerate(lines):
        where = (*at, str(index))
        if not 1 <= line.quantity <= MAX_QUANTITY:
            message = f"from 1 to {MAX_QUANTITY} units"
            issues.append(Issue((*where, "quantity"), UserErrorCode.OUT_OF_RANGE, message))
        if line.order_line_id in seen:
            message = "each order line at most once"
            issues.append(Issue((*where, "orderLineId"), UserErrorCode.DUPLICATE_ITEM, message))
        seen.add(line.order_line_id)
    return issues


async def unbooked_by_line(db: AsyncSession, order_id: int) -> dict[int, tuple[OrderLine, int]]:
    """Each line of the order with the units no shipment carries yet, in the order's order."""
    booked = (
        select(func.coalesce(func.sum(col(ShipmentLine.quantity)), 0))
        .where(col(ShipmentLine.order_line_id) == col(OrderLine.id))
        .scalar_subquery()
    )
    rows = await db.execute(
        select(OrderLine, booked)
        .where(col(OrderLine.order_id) == order_id)
        .order_by(col(OrderLine.position), col(OrderLine.id))
    )
    result: dict[int, tuple[OrderLine, int]] = {}
    for line, carried in rows.all():
        assert line.id is not None
        result[line.id] = (line, line.quantity - int(carried))
    return result


async def lines_to_book(
    db: AsyncSession, order_id: int, requested: Sequence[ShipmentLineRequest] | None
) -> list[tuple[OrderLine, int]]:
    """(order line, units) the new shipment carries; `Refused` when it cannot carry them."""
    unbooked = await unbooked_by_line(db, order_id)
    if requested is None:
        chosen = [(line, left) for line, left in unbooked.values() if left > 0]
        if not chosen:
            message = "every unit of the order is already booked on a shipment"
            raise refuse(UserErrorCode.NOTHING_TO_SHIP, message, "orderId")
        return chosen
    chosen = []
    for index, wanted in enumerate(requested):
        pk = pk_of(wanted.order_line_id, "OrderLine")
        found = None if pk is None else unbooked.get(pk)
        where = ("input", "lines", str(index))
        if found is None:
            message = "no line of this order has this id"
            raise refuse(UserErrorCode.NOT_FOUND, message, *where, "orderLineId")
        line, left = found
        if wanted.quantity > left:
            message = f"{line.sku}: {left} of {line.quantity} units are left to book"
            raise refuse(UserErrorCode.EXCEEDS_UNBOOKED, message, *where, "quantity")
        chosen.append((line, wanted.quantity))
    return chosen


async def write_shipment_lines(
    db: AsyncSession, shipment_id: int, chosen: Sequence[tuple[OrderLine, int]]
) -> list[ShipmentLine]:
    rows = [
        ShipmentLine(shipment_id=shipment_id, order_line_id=line.id or 0, quantity=quantity)
        for line, quantity in chosen
    ]
    db.add_all(rows)
    await db.flush()
    return rows

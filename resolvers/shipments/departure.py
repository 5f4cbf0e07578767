"""A booked shipment departs: its goods leave stock and the order is partly or wholly shipped.

`departShipment` locks the order row, then the shipment's (the order first, as booking and
the order's moves do), so a departure cannot race a cancellation, a second departure of the
same shipment, or a booking of the same order. In one transaction it takes the shipment's
quantities off stock (reserved and on hand, through the stock ledger, as `shipOrder` does
for a whole order), adds them to each line's `shipped_quantity`, moves the order to
`partly_shipped`, or to `shipped` when every line has left (then `order.shipped` as before),
and emits `shipment.departed` with the payload of core/event_types.py.

`shipOrder` still ships an order with nothing shipped yet in one go: `depart_all_booked`
marks the shipments it had booked as departed with it, so none of them can leave twice.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core import event_types
from core.global_id import encode_global_id
from core.outbox import emit, utcnow
from core.outcomes import UserErrorCode, WriteResult, refuse, refused
from core.row_locks import lock_for_no_key_update
from loaders.orders import ORDER_BY_ID
from loaders.shipments import SHIPMENT_BY_ID
from models.base import as_utc
from models.catalog.stock import StockMovementKind
from models.orders import Order, OrderLine, OrderStatus, order_number
from models.shipments import Shipment, ShipmentLeg, ShipmentLine, ShipmentStatus, TransportMode
from resolvers.catalog.stock import Cause, StockChange, StockLedger
from resolvers.context import Context
from resolvers.orders.rules import order_event
from resolvers.outcomes import audit, pk_of, refusable

DEPARTABLE = (OrderStatus.CONFIRMED, OrderStatus.PAID, OrderStatus.PARTLY_SHIPPED)
# Carriers' and people's clocks differ; a departure an hour "ahead" is not an error.
CLOCK_SKEW = timedelta(hours=1)


def check_departure(
    departed_at: datetime | None, bill_of_lading_date: date | None, *, now: datetime
) -> tuple[datetime, date, WriteResult[Any] | None]:
    """The departure's moment and B/L date (by default the departure's UTC day), or why not."""
    moment = now if departed_at is None else as_utc(departed_at)
    if moment > now + CLOCK_SKEW:
        message = "a departure is recorded when the goods have left"
        return moment, moment.date(), refused(("departedAt",), UserErrorCode.IN_THE_FUTURE, message)
    bill_date = moment.date() if bill_of_lading_date is None else bill_of_lading_date
    if bill_date > (now + CLOCK_SKEW).date():
        message = "a bill of lading is dated when it is issued"
        problem = refused(("billOfLadingDate",), UserErrorCode.IN_THE_FUTURE, message)
        return moment, bill_date, problem
    return moment, bill_date, None


async def depart_shipment(
    ctx: Context,
    *,
    shipment_id: str,
    departed_at: datetime | None = None,
    bill_of_lading_date: date | None = None,
) -> WriteResult[Shipment]:
    pk = pk_of(shipment_id, "Shipment")
    if pk is None:
        return refused(("id",), UserErrorCode.NOT_FOUND, "no shipment has this id")
    moment, bill_date, problem = check_departure(departed_at, bill_of_lading_date, now=utcnow())
    if problem is not None:
        return problem

    async def work(db: AsyncSession) -> Shipment:
        order, shipment = await _locked(ctx, db, pk)
        if shipment.status == ShipmentStatus.DEPARTED:
            message = "the shipment has already departed"
            raise refuse(UserErrorCode.ILLEGAL_TRANSITION, message, "id")
        if order.status not in DEPARTABLE:
            allowed = ", ".join(status.value for status in DEPARTABLE)
            message = f"the order is {order.status}; shipments depart from {allowed} orders"
            raise refuse(UserErrorCode.ORDER_NOT_SHIPPABLE, message, "id")
        carried = await _carried(db, pk)
        if not carried:
            raise refuse(UserErrorCode.NOTHING_TO_SHIP, "the shipment carries nothing", "id")
        return await _depart(ctx, db, order, shipment, carried, moment, bill_date)

    return await refusable(ctx, work)


async def _locked(ctx: Context, db: AsyncSession, pk: int) -> tuple[Order, Shipment]:
    order_id = await db.scalar(
        select(col(Shipment.order_id)).where(
            col(Shipment.id) == pk, ctx.loaders.visible(SHIPMENT_BY_ID)
        )
    )
    if order_id is None:
        raise refuse(UserErrorCode.NOT_FOUND, "no shipment has this id", "id")
    orders = select(Order).where(col(Order.id) == order_id, ctx.loaders.visible(ORDER_BY_ID))
    order = (await db.scalars(lock_for_no_key_update(orders))).first()
    shipments = (
        select(Shipment).where(col(Shipment.id) == pk).execution_options(populate_existing=True)
    )
    shipment = (await db.scalars(lock_for_no_key_update(shipments))).first()
    if order is None or shipment is None:
        raise refuse(UserErrorCode.NOT_FOUND, "no shipment has this id", "id")
    return order, shipment


async def _carried(db: AsyncSession, shipment_id: int) -> list[tuple[OrderLine, int]]:
    rows = await db.execute(
        select(OrderLine, col(ShipmentLine.quantity))
        .join(ShipmentLine, col(ShipmentLine.order_line_id) == col(OrderLine.id))
        .where(col(ShipmentLine.shipment_id) == shipment_id)
        .order_by(col(OrderLine.position), col(OrderLine.id))
        .execution_options(populate_existing=True)
    )
    return [(line, int(quantity)) for line, quantity in rows.all()]


async def _depart(
    ctx: Context,
    db: AsyncSession,
    order: Order,
    shipment: Shipment,
    carried: list[tuple[OrderLine, int]],
    moment: datetime,
    bill_date: date,
) -> Shipment:
    assert order.id is not None
    assert shipment.id is not None
    changes = [
        StockChange(line.variant_id, on_hand=-quantity, reserved=-quantity)
        for line, quantity in carried
    ]
    # The order's reservation covers every unit not yet shipped, and a shipment never
    # carries more than is left: a StockShort here is a broken invariant, not a refusal.
    cause = Cause(StockMovementKind.SHIPPED, order_id=order.id, shipment_id=shipment.id)
    await StockLedger.of_caller(ctx).move(db, changes, cause)
    await db.execute(
        update(OrderLine),
        [
            {"id": line.id, "shipped_quantity": line.shipped_quantity + quantity}
            for line, quantity in carried
        ],
    )
    unshipped = await db.scalar(
        select(col(OrderLine.id))
        .where(
            col(OrderLine.order_id) == order.id,
            col(OrderLine.shipped_quantity) < col(OrderLine.quantity),
        )
        .limit(1)
    )
    before = OrderStatus(order.status)
    after = OrderStatus.PARTLY_SHIPPED if unshipped is not None else OrderStatus.SHIPPED
    now = utcnow()
    if after != before:
        order.status = after
        order.version += 1
        if after is OrderStatus.SHIPPED:
            order.shipped_at = now
        db.add(order)
    shipment.status = ShipmentStatus.DEPARTED
    shipment.departed_at = moment
    shipment.bill_of_lading_date = bill_date
    db.add(shipment)
    await db.flush()
    await db.refresh(order)
    await db.refresh(shipment)
    leg = await main_leg(db, shipment.id)
    await emit(db, event_types.SHIPMENT_DEPARTED, departed_payload(order, shipment, leg, carried))
    if after is OrderStatus.SHIPPED:
        await emit(db, event_types.ORDER_SHIPPED, order_event(order, before.value))
    await audit(
        ctx,
        db,
        action="shipment.depart",
        target_type="Shipment",
        target_id=shipment.id,
        changes={
            "status": [ShipmentStatus.BOOKED.value, ShipmentStatus.DEPARTED.value],
            "departed_at": [None, moment.isoformat()],
            "bill_of_lading_date": [None, bill_date.isoformat()],
            "order_status": [before.value, after.value],
        },
    )
    return shipment


async def main_leg(db: AsyncSession, shipment_id: int) -> ShipmentLeg | None:
    """The leg that carries the goods under the bill of lading: the first by sea, else the
    first of the journey."""
    legs = list(
        await db.scalars(
            select(ShipmentLeg)
            .where(col(ShipmentLeg.shipment_id) == shipment_id)
            .order_by(col(ShipmentLeg.sequence))
        )
    )
    by_sea = [leg for leg in legs if leg.mode == TransportMode.SEA]
    chosen = by_sea or legs
    return chosen[0] if chosen else None


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def departed_payload(
    order: Order, shipment: Shipment, leg: ShipmentLeg | None, carried: list[tuple[OrderLine, int]]
) -> dict[str, Any]:
    """`shipment.departed` as core/event_types.py publishes it."""
    assert order.id is not None
    assert shipment.id is not None
    return {
        "shipment_id": encode_global_id("Shipment", shipment.id),
        "order_id": encode_global_id("Order", order.id),
        "number": order_number(order.id),
        "client_company_id": encode_global_id("ClientCompany", order.client_company_id),
        "reference": shipment.reference,
        "carrier": "" if leg is None else leg.carrier,
        "transport_document_number": "" if leg is None else leg.transport_document_number,
        "container_number": "" if leg is None else leg.container_number,
        "vessel_or_flight": "" if leg is None else leg.vessel_or_flight,
        "etd": None if leg is None else _iso(leg.etd),
        "eta": None if leg is None else _iso(leg.eta),
        "departed_at": _iso(shipment.departed_at),
        "order_status": str(order.status),
        "lines": [{"sku": line.sku, "quantity": quantity} for line, quantity in carried],
    }


async def depart_all_booked(db: AsyncSession, order_id: int, now: datetime) -> None:
    """`shipOrder`: every line shipped whole, and the shipments booked for them departed."""
    await db.execute(
        update(OrderLine)
        .where(col(OrderLine.order_id) == order_id)
        .values(shipped_quantity=col(OrderLine.quantity))
    )
    await db.execute(
        update(Shipment)
        .where(col(Shipment.order_id) == order_id, col(Shipment.status) == ShipmentStatus.BOOKED)
        .values(status=ShipmentStatus.DEPARTED, departed_at=now, bill_of_lading_date=now.date())
    )

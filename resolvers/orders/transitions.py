"""Moving an order through its states: confirm, ship, deliver, cancel.

placed -> confirmed -> paid -> shipped -> delivered, and cancelled from placed, confirmed or
paid. An order may also ship in parts: each departing shipment moves it to partly_shipped,
the last to shipped (resolvers/shipments/departure.py). `shipOrder` ships an order with
nothing shipped yet whole (its booked shipments depart with it); a partly shipped order
ships by its shipments and cannot be cancelled. An order may also ship from confirmed: under
credit terms such as "balance against the bill of lading" the goods leave before they are
paid for; a payment that later completes such
an order changes only its payment status (resolvers/payments.py).

Each move is one conditional UPDATE (`... WHERE id = :id AND status IN (:allowed)`), so of
two racing moves exactly one matches the row and the other finds nothing to change. The
winner's stock effect runs in the same transaction, once: cancelling releases the
reservation, shipping turns it into a decrease of stock on hand. Each move emits its event
and writes an audit row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from auth.policy import Permission
from core import event_types
from core.outbox import emit
from core.outcomes import UserErrorCode, WriteResult, refused
from core.transaction_retry import retry_transaction
from loaders.orders import ORDER_BY_ID
from models.catalog.stock import StockMovementKind
from models.orders import Order, OrderLine, OrderStatus
from resolvers.catalog.stock import Cause, StockChange, StockLedger
from resolvers.context import Context
from resolvers.orders.rules import order_event
from resolvers.orders.standing import refresh_credit_used
from resolvers.outcomes import audit, pk_of
from resolvers.shipments.departure import depart_all_booked

MAX_REASON_LENGTH = 500
PLACED, CONFIRMED, PAID = OrderStatus.PLACED, OrderStatus.CONFIRMED, OrderStatus.PAID


@dataclass(frozen=True)
class Move:
    verb: str
    done: str  # the verb's past participle, for messages
    to: OrderStatus
    sources: tuple[OrderStatus, ...]
    event: str
    stamp: str  # the column recording when the order arrived in `to`


CONFIRM = Move(
    "confirm", "confirmed", CONFIRMED, (PLACED,), event_types.ORDER_CONFIRMED, "confirmed_at"
)
SHIP = Move(
    "ship",
    "shipped",
    OrderStatus.SHIPPED,
    (CONFIRMED, PAID),
    event_types.ORDER_SHIPPED,
    "shipped_at",
)
DELIVER = Move(
    "deliver",
    "delivered",
    OrderStatus.DELIVERED,
    (OrderStatus.SHIPPED,),
    event_types.ORDER_DELIVERED,
    "delivered_at",
)
CANCEL = Move(
    "cancel",
    "cancelled",
    OrderStatus.CANCELLED,
    (PLACED, CONFIRMED, PAID),
    event_types.ORDER_CANCELLED,
    "cancelled_at",
)
# A client user may cancel its own order only before sales confirmed it.
CLIENT_CANCEL = Move(
    "cancel",
    "cancelled",
    OrderStatus.CANCELLED,
    (PLACED,),
    event_types.ORDER_CANCELLED,
    "cancelled_at",
)


def previous_status(move: Move, after: Order) -> OrderStatus:
    """The status the order left, read off the row the UPDATE returned.

    Exact because the stamps are written only by moves: before shipping or cancelling,
    `paid_at` is set exactly when the order is `paid`, `confirmed_at` once it was confirmed.
    """
    if len(move.sources) == 1:
        return move.sources[0]
    if after.paid_at is not None:
        return PAID
    return CONFIRMED if after.confirmed_at is not None else PLACED


async def move_order(
    ctx: Context, order_id: str, move: Move, *, reason: str = ""
) -> WriteResult[Order]:
    """Apply `move` to the order if it is in one of the move's source states."""
    pk = pk_of(order_id, "Order")
    if pk is None:
        return _not_found()
    if move.to is OrderStatus.CANCELLED:
        reason = reason.strip()
        if not reason:
            return refused(("reason",), UserErrorCode.REQUIRED, "say why the order is cancelled")
        if len(reason) > MAX_REASON_LENGTH:
            return refused(
                ("reason",), UserErrorCode.TOO_LONG, f"at most {MAX_REASON_LENGTH} characters"
            )

    async def attempt() -> WriteResult[Order]:
        async with ctx.database.transaction() as db:
            return await _move_in(db, ctx, pk, move, reason)

    return await retry_transaction(attempt)


async def _move_in(
    db: AsyncSession, ctx: Context, pk: int, move: Move, reason: str
) -> WriteResult[Order]:
    now = datetime.now(UTC)
    values: dict[str, Any] = {
        "status": move.to,
        move.stamp: now,
        "version": col(Order.version) + 1,
    }
    if move.to is OrderStatus.CANCELLED:
        values["cancel_reason"] = reason
    statement = (
        update(Order)
        .where(
            col(Order.id) == pk,
            col(Order.status).in_(move.sources),
            ctx.loaders.visible(ORDER_BY_ID),
        )
        .values(**values)
        .returning(Order)
        .execution_options(populate_existing=True, synchronize_session=False)
    )
    after: Order | None = (await db.scalars(statement)).first()
    if after is None:
        return await _why_not(db, ctx, pk, move)
    before = previous_status(move, after)
    if move.to is OrderStatus.CANCELLED:
        # Before the stock, so that locks are taken company first, as placing an order does.
        await refresh_credit_used(db, after.client_company_id, now)
        await _move_stock(db, ctx, pk, Cause(StockMovementKind.RELEASED, reason, order_id=pk))
    elif move.to is OrderStatus.SHIPPED:
        await _move_stock(db, ctx, pk, Cause(StockMovementKind.SHIPPED, order_id=pk))
        await depart_all_booked(db, pk, now)
    extra = {"reason": reason} if move.to is OrderStatus.CANCELLED else {}
    await emit(db, move.event, order_event(after, before.value, **extra))
    await audit(
        ctx,
        db,
        action=f"order.{move.verb}",
        target_type="Order",
        target_id=pk,
        changes={
            "status": [before.value, move.to.value],
            "version": [after.version - 1, after.version],
            **({"cancel_reason": ["", reason]} if reason else {}),
        },
    )
    return WriteResult(row=after)


async def _move_stock(db: AsyncSession, ctx: Context, order_id: int, cause: Cause) -> None:
    """Release each line's reservation; shipping also takes the quantity out of on hand."""
    taken = 1 if cause.kind is StockMovementKind.SHIPPED else 0
    lines = await db.execute(
        select(col(OrderLine.variant_id), col(OrderLine.quantity)).where(
            col(OrderLine.order_id) == order_id
        )
    )
    changes = [
        StockChange(variant_id, on_hand=-taken * quantity, reserved=-quantity)
        for variant_id, quantity in lines
    ]
    # A reservation always covers its order's lines (the placement made it, and only this
    # move, once, gives it back): a StockShort here is a broken invariant, not a refusal.
    await StockLedger.of_caller(ctx).move(db, changes, cause)


async def _why_not(db: AsyncSession, ctx: Context, pk: int, move: Move) -> WriteResult[Order]:
    """NOT_FOUND for an order the caller may not see; else the state that forbids the move."""
    status = await db.scalar(
        select(col(Order.status)).where(col(Order.id) == pk, ctx.loaders.visible(ORDER_BY_ID))
    )
    if status is None:
        return _not_found()
    allowed = " or ".join(source.value for source in move.sources)
    return refused(
        ("id",),
        UserErrorCode.ILLEGAL_TRANSITION,
        f"the order is {status}; only an order that is {allowed} can be {move.done}",
    )


def _not_found() -> WriteResult[Any]:
    return refused(("id",), UserErrorCode.NOT_FOUND, "no order has this id")


async def cancel_order(ctx: Context, order_id: str, reason: str) -> WriteResult[Order]:
    """Staff holding `orders:write` cancel before shipping; a client user its own order
    while it is still `placed`. The schema's gate lets no one else in."""
    staff = ctx.principal.can(Permission.ORDERS_WRITE)
    return await move_order(ctx, order_id, CANCEL if staff else CLIENT_CANCEL, reason=reason)

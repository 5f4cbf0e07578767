"""Recording money received against an order, in the order's currency.

Payments are accepted once sales confirmed the order and until its balance is paid: not
while it is only placed, not once it is cancelled. Each is recorded under a lock on the
order row, so two payments recorded at once cannot together exceed the balance, and a bank
reference is recorded once per order. A payment that covers the balance of a `confirmed`
order makes it `paid` (order.paid); one that completes an order already partly or wholly
shipped on credit terms changes only its payment status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core import event_types
from core.global_id import encode_global_id
from core.outbox import emit
from core.outcomes import Issue, UserErrorCode, WriteResult, refused
from core.row_locks import lock_for_no_key_update
from core.transaction_retry import retry_transaction
from loaders.orders import ORDER_BY_ID
from models.money import has_too_many_places, minor_unit, round_money
from models.orders import Order, OrderStatus, Payment, PaymentStatus
from resolvers.context import Context
from resolvers.orders.rules import order_event
from resolvers.orders.standing import refresh_credit_used
from resolvers.outcomes import audit, pk_of

MAX_REFERENCE_LENGTH = 120
# Clocks of banks and of the person typing differ; a payment minutes "ahead" is not an error.
CLOCK_SKEW = timedelta(minutes=5)
PAYABLE = (
    OrderStatus.CONFIRMED,
    OrderStatus.PAID,
    OrderStatus.PARTLY_SHIPPED,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
)


@dataclass(frozen=True)
class RecordedPayment:
    order: Order
    payment: Payment


def check_payment(amount: Decimal, reference: str, received_at: datetime) -> list[Issue]:
    issues: list[Issue] = []
    if amount <= 0:
        issues.append(Issue(("amount",), UserErrorCode.INVALID_AMOUNT, "must be more than 0"))
    if not reference.strip():
        issues.append(Issue(("reference",), UserErrorCode.REQUIRED, "the bank's reference"))
    elif len(reference) > MAX_REFERENCE_LENGTH:
        issues.append(
            Issue(
                ("reference",),
                UserErrorCode.TOO_LONG,
                f"at most {MAX_REFERENCE_LENGTH} characters",
            )
        )
    if received_at.tzinfo is None:
        issues.append(
            Issue(("receivedAt",), UserErrorCode.INVALID_DATE, "must carry its UTC offset")
        )
    elif received_at > datetime.now(UTC) + CLOCK_SKEW:
        issues.append(Issue(("receivedAt",), UserErrorCode.IN_THE_FUTURE, "must be in the past"))
    return issues


async def record_payment(
    ctx: Context, *, order_id: str, amount: Decimal, reference: str, received_at: datetime
) -> WriteResult[RecordedPayment]:
    pk = pk_of(order_id, "Order")
    if pk is None:
        return _not_found()
    issues = check_payment(amount, reference, received_at)
    if issues:
        return WriteResult(issues=issues)

    async def attempt() -> WriteResult[RecordedPayment]:
        async with ctx.database.transaction() as db:
            return await _record_in(db, ctx, pk, amount, reference.strip(), received_at)

    return await retry_transaction(attempt)


async def _record_in(
    db: AsyncSession,
    ctx: Context,
    pk: int,
    amount: Decimal,
    reference: str,
    received_at: datetime,
) -> WriteResult[RecordedPayment]:
    statement = lock_for_no_key_update(
        select(Order).where(col(Order.id) == pk, ctx.loaders.visible(ORDER_BY_ID))
    )
    order: Order | None = (
        await db.scalars(statement.execution_options(populate_existing=True))
    ).first()
    if order is None:
        return _not_found()
    refusal = await _refusal(db, order, amount, reference)
    if refusal is not None:
        return WriteResult(issues=[refusal])
    payment = Payment(
        order_id=pk,
        amount=amount,
        currency=order.currency,
        reference=reference,
        received_at=received_at,
        recorded_by_user_id=ctx.principal.user_id,
    )
    db.add(payment)
    await db.flush()
    assert payment.id is not None
    before, paid_before = order.status, order.amount_paid
    after = await _apply(db, order, amount)
    await refresh_credit_used(db, after.client_company_id, datetime.now(UTC))
    event_payload = {
        "order_id": encode_global_id("Order", pk),
        "payment_id": encode_global_id("Payment", payment.id),
        "amount": str(round_money(amount, after.currency)),
        "currency": after.currency,
        "amount_paid": str(round_money(after.amount_paid, after.currency)),
        "payment_status": after.payment_status,
    }
    await emit(db, event_types.ORDER_PAYMENT_RECORDED, event_payload)
    if after.status != before:
        await emit(db, event_types.ORDER_PAID, order_event(after, before))
    await audit(
        ctx,
        db,
        action="order.record_payment",
        target_type="Order",
        target_id=pk,
        changes={
            "payment": [None, f"{amount} {after.currency} ref {reference}"],
            "amount_paid": [str(paid_before), str(after.amount_paid)],
            "status": [before, after.status],
        },
    )
    return WriteResult(row=RecordedPayment(order=after, payment=payment))


async def _refusal(db: AsyncSession, order: Order, amount: Decimal, reference: str) -> Issue | None:
    if order.status not in PAYABLE:
        return Issue(
            ("orderId",),
            UserErrorCode.ILLEGAL_TRANSITION,
            f"the order is {order.status}; payments are recorded once it is confirmed",
        )
    places = minor_unit(order.currency)
    if has_too_many_places(amount.normalize(), places):
        return Issue(
            ("amount",),
            UserErrorCode.INVALID_AMOUNT,
            f"{order.currency} amounts have at most {places} decimal places",
        )
    balance = order.total - order.amount_paid
    if amount > balance:
        return Issue(
            ("amount",),
            UserErrorCode.AMOUNT_EXCEEDS_BALANCE,
            f"the balance due is {round_money(balance, order.currency)} {order.currency}",
        )
    duplicate = await db.scalar(
        select(col(Payment.id)).where(
            col(Payment.order_id) == order.id, col(Payment.reference) == reference
        )
    )
    if duplicate is not None:
        return Issue(
            ("reference",),
            UserErrorCode.DUPLICATE_REFERENCE,
            "a payment with this reference is already recorded against the order",
        )
    return None


async def _apply(db: AsyncSession, order: Order, amount: Decimal) -> Order:
    """Add `amount` to the order (locked by the caller); a confirmed order fully paid is paid."""
    paid = order.amount_paid + amount
    now = datetime.now(UTC)
    values: dict[str, object] = {
        "amount_paid": paid,
        "payment_status": PaymentStatus.PAID if paid >= order.total else PaymentStatus.PARTLY_PAID,
        "version": col(Order.version) + 1,
    }
    if paid >= order.total:
        values["paid_at"] = now
        if order.status == OrderStatus.CONFIRMED:
            values["status"] = OrderStatus.PAID
    statement = (
        update(Order)
        .where(col(Order.id) == order.id)
        .values(**values)
        .returning(Order)
        .execution_options(populate_existing=True, synchronize_session=False)
    )
    after: Order | None = (await db.scalars(statement)).first()
    assert after is not None  # the row is locked
    return after


def _not_found() -> WriteResult[RecordedPayment]:
    found: WriteResult[RecordedPayment] = refused(
        ("orderId",), UserErrorCode.NOT_FOUND, "no order has this id"
    )
    return found

"""Setting an order's charges (freight, insurance, other) while it is still placed.

Orders placed in the storefront carry no charges; staff state them before confirming, when
the freight is known. The new set replaces the old one whole, the total becomes the lines
plus the new charges, and the company's credit used follows, in one transaction that names
the order version it was based on (a stale one changes nothing: CONFLICT). Locks are taken
company first, then the order, as placing an order does; a total that grows past the credit
limit is refused as placement refuses it. Once confirmed the receivable is posted from the
total, so the charges are fixed from then on.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core.outcomes import Issue, Refused, UserErrorCode, WriteResult
from core.row_locks import lock_for_no_key_update
from core.transaction_retry import retry_transaction
from loaders.orders import ORDER_BY_ID
from models.clients import ClientCompany
from models.money import MAX_AMOUNT, round_money
from models.orders import Order, OrderCharge, OrderStatus
from resolvers.checks import Checker
from resolvers.context import Context
from resolvers.orders.credit import open_exposure
from resolvers.orders.standing import store_credit_used
from resolvers.orders.stored_charges import order_charges_in
from resolvers.orders.trade_terms import (
    Charge,
    ChargeRequest,
    charges_total,
    check_charges,
    missing_charges,
)
from resolvers.outcomes import audit, pk_of

ORDER_ID = ("orderId",)
CHARGES = ("charges",)


def _refuse(path: tuple[str, ...], code: UserErrorCode, message: str) -> Refused:
    return Refused(Issue(path, code, message))


async def set_order_charges(
    ctx: Context, *, order_id: str, expected_version: int, charges: Sequence[ChargeRequest]
) -> WriteResult[Order]:
    pk = pk_of(order_id, "Order")
    if pk is None:
        return WriteResult(
            issues=[Issue(ORDER_ID, UserErrorCode.NOT_FOUND, "no order has this id")]
        )

    async def attempt() -> Order:
        async with ctx.database.transaction() as db:
            return await _set_in(db, ctx, pk, expected_version, charges)

    try:
        return WriteResult(row=await retry_transaction(attempt))
    except Refused as refusal:
        return WriteResult(issues=refusal.issues)


async def _visible_order(ctx: Context, db: AsyncSession, pk: int) -> Order:
    statement = select(Order).where(col(Order.id) == pk, ctx.loaders.visible(ORDER_BY_ID))
    order: Order | None = (
        await db.scalars(statement.execution_options(populate_existing=True))
    ).first()
    if order is None:
        raise _refuse(ORDER_ID, UserErrorCode.NOT_FOUND, "no order has this id")
    return order


def _checked(order: Order, requested: Sequence[ChargeRequest]) -> list[Charge]:
    problems = Checker(())
    charges = check_charges(problems, CHARGES, requested, order.currency)
    issues = problems.issues or missing_charges(CHARGES, order.incoterm, charges)
    if issues:
        raise Refused(*issues)
    return charges


async def _set_in(
    db: AsyncSession,
    ctx: Context,
    pk: int,
    expected_version: int,
    requested: Sequence[ChargeRequest],
) -> Order:
    before = await _visible_order(ctx, db, pk)
    charges = _checked(before, requested)
    company = await _lock_company(db, before.client_company_id)
    new_charges = round_money(charges_total(charges), before.currency)
    # Kept apart: the update below refreshes `before` itself (one row, one identity).
    total_before, version_before, currency = before.total, before.version, before.currency
    total = total_before - before.charges_total + new_charges
    if total > MAX_AMOUNT:
        raise _refuse(CHARGES, UserErrorCode.OUT_OF_RANGE, f"the total would be over {MAX_AMOUNT}")
    after = await _update_placed(db, before, expected_version, total, new_charges)
    old_charges = await order_charges_in(db, pk)
    await db.execute(delete(OrderCharge).where(col(OrderCharge.order_id) == pk))
    db.add_all(
        OrderCharge(
            order_id=pk,
            kind=charge.kind,
            amount=charge.amount,
            description=charge.description,
            position=position,
        )
        for position, charge in enumerate(charges)
    )
    await db.flush()
    await _store_credit(db, company, grew=total > total_before)
    await audit(
        ctx,
        db,
        action="order.set_charges",
        target_type="Order",
        target_id=pk,
        changes={
            "charges": [_described(old_charges), _described(charges)],
            "total": [f"{total_before} {currency}", f"{total} {currency}"],
            "version": [version_before, after.version],
        },
    )
    return after


def _described(charges: Sequence[Charge | OrderCharge]) -> list[list[str]]:
    return [[str(charge.kind), str(charge.amount), charge.description] for charge in charges]


async def _lock_company(db: AsyncSession, company_id: int) -> ClientCompany:
    statement = lock_for_no_key_update(
        select(ClientCompany).where(col(ClientCompany.id) == company_id)
    )
    company: ClientCompany = (
        await db.scalars(statement.execution_options(populate_existing=True))
    ).one()
    return company


async def _update_placed(
    db: AsyncSession, before: Order, expected_version: int, total: Decimal, charges: Decimal
) -> Order:
    """The order with its new total, if it is still placed at `expected_version`."""
    statement = (
        update(Order)
        .where(
            col(Order.id) == before.id,
            col(Order.status) == OrderStatus.PLACED,
            col(Order.version) == expected_version,
        )
        .values(total=total, charges_total=charges, version=col(Order.version) + 1)
        .returning(Order)
        .execution_options(populate_existing=True, synchronize_session=False)
    )
    after: Order | None = (await db.scalars(statement)).first()
    if after is not None:
        return after
    # What the update did not match, as committed now (another move may have won).
    found = (
        await db.execute(
            select(col(Order.status), col(Order.version)).where(col(Order.id) == before.id)
        )
    ).one()
    status, version = found
    if status != OrderStatus.PLACED:
        raise _refuse(
            ORDER_ID,
            UserErrorCode.ILLEGAL_TRANSITION,
            f"the order is {status}; its charges change only while it is placed",
        )
    raise _refuse(
        ("expectedVersion",),
        UserErrorCode.CONFLICT,
        f"the order is at version {version}, not {expected_version}: read it again",
    )


async def _store_credit(db: AsyncSession, company: ClientCompany, *, grew: bool) -> None:
    """Credit used with the new total; refused if a grown total no longer fits the limit."""
    exposure = await open_exposure(db, company, datetime.now(UTC))
    if isinstance(exposure, Issue):
        raise Refused(Issue(CHARGES, exposure.code, exposure.message))
    currency = company.credit_currency
    if grew and exposure > company.credit_limit:
        raise _refuse(
            CHARGES,
            UserErrorCode.CREDIT_LIMIT_EXCEEDED,
            f"with these charges the client's open orders ({exposure} {currency}) exceed "
            f"its credit limit of {company.credit_limit} {currency}",
        )
    assert company.id is not None
    await store_credit_used(db, company.id, exposure)

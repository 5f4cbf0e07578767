"""Placing an order: price it, check MOQ and credit, reserve stock, write it, in one transaction.

Placements of one client run one at a time: each takes a lock on the client's row first
(`FOR NO KEY UPDATE` on PostgreSQL), so two racing orders cannot both fit under the credit
limit, and retries of one idempotency key find the order the first one wrote. Stock is
reserved with one conditional UPDATE per variant, in ascending variant id, so concurrent
orders never oversell and never deadlock on each other's variants (resolvers/catalog/stock.py,
which also writes the reservations' ledger rows once the order has its id).

An order keeps its own payment terms (the quote's, or the company's when placed in the
storefront) and its charges (a quote's; the storefront places none, staff may add them while
the order is placed: resolvers/orders/charges.py). Its total, checked against the credit
limit, is the lines plus the charges.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core import event_types
from core.fx import rate_at
from core.outbox import emit
from core.outcomes import Issue, Refused, UserErrorCode, WriteResult, refused
from core.row_locks import lock_for_no_key_update
from core.transaction_retry import retry_transaction
from models.catalog.stock import StockMovementKind
from models.clients import ClientCompany, PaymentTerms
from models.money import MAX_AMOUNT, convert, round_money
from models.orders import Order, OrderCharge, OrderLine, OrderStatus
from resolvers.catalog.stock import Cause, StockLedger
from resolvers.context import Context
from resolvers.orders.credit import check_credit, no_rate
from resolvers.orders.line_pricing import price_lines, reserve_lines
from resolvers.orders.rules import (
    RequestedLine,
    check_header,
    check_lines,
    check_shipping_address,
    line_path,
    order_event,
    request_hash,
)
from resolvers.orders.standing import store_credit_used
from resolvers.orders.trade_terms import Charge, charges_total
from resolvers.outcomes import audit, pk_of


@dataclass(frozen=True)
class PlacementLine:
    variant_id: int
    quantity: int
    unit_price: Decimal | None = None  # None: priced from the tiers; a quote sets it


@dataclass(frozen=True)
class OrderRequest:
    """`placeOrder` as the caller sent it: global ids not yet decoded, nothing checked."""

    client_company_id: str | None
    currency: str
    incoterm: str
    named_place: str
    shipping_address: Mapping[str, Any]
    lines: Sequence[tuple[str, int]]  # (variant global id, quantity)
    idempotency_key: str
    note: str = ""


@dataclass(frozen=True)
class PlacementRequest:
    client_company_id: int
    currency: str
    incoterm: str
    named_place: str
    shipping_address: Mapping[str, Any]
    lines: Sequence[PlacementLine]
    note: str = ""
    idempotency_key: str | None = None
    quote_id: int | None = None
    # A quote's terms and charges; None: the company's terms as they are now, no charges.
    payment_terms: PaymentTerms | None = None
    charges: Sequence[Charge] = ()

    def normalised(self) -> dict[str, Any]:
        """What makes two requests the same order: lines in variant order, prices as text.

        A quote's terms and charges are left out: `quote_id` already names them, and the
        hashes of orders placed before orders had them stay comparable."""
        return {
            "client_company_id": self.client_company_id,
            "currency": self.currency,
            "incoterm": self.incoterm,
            "named_place": self.named_place,
            "shipping_address": dict(self.shipping_address),
            "note": self.note,
            "quote_id": self.quote_id,
            "lines": [
                [
                    line.variant_id,
                    line.quantity,
                    None if line.unit_price is None else str(line.unit_price),
                ]
                for line in sorted(self.lines, key=lambda line: line.variant_id)
            ],
        }


async def place_order_in(db: AsyncSession, ctx: Context, request: PlacementRequest) -> Order:
    """Inside the caller's transaction: lock client, price, MOQ, credit, reserve, write,
    emit order.placed, audit. Raises Refused.

    With an idempotency key already used by this client, returns that order instead (and
    writes nothing) when the request is the same, or refuses IDEMPOTENCY_KEY_REUSED.
    """
    requested = [
        RequestedLine(line.variant_id, line.quantity, line.unit_price) for line in request.lines
    ]
    issues = check_header(
        currency=request.currency,
        incoterm=request.incoterm,
        named_place=request.named_place,
        note=request.note,
        idempotency_key=request.idempotency_key,
    )
    issues += check_shipping_address(request.shipping_address)
    issues += check_lines(requested)
    if issues:
        raise Refused(*issues)
    client = await _lock_client(db, request.client_company_id)
    fingerprint = request_hash(request.normalised())
    if request.idempotency_key is not None:
        earlier = await _order_with_key(db, request.client_company_id, request.idempotency_key)
        if earlier is not None:
            return _replayed(earlier, fingerprint)
    priced = await price_lines(db, requested, request.currency)
    now = datetime.now(UTC)
    lines_total = sum((line.line_total for line in priced), Decimal(0))
    charges = round_money(charges_total(request.charges), request.currency)
    total = round_money(lines_total, request.currency) + charges
    if total > MAX_AMOUNT:
        raise Refused(
            Issue(("input", "lines"), UserErrorCode.OUT_OF_RANGE, f"the total is over {MAX_AMOUNT}")
        )
    rate = await rate_at(db, request.currency, client.credit_currency, now)
    if rate is None:
        raise Refused(no_rate(request.currency, client.credit_currency))
    credit_used = await check_credit(
        db, client, convert(total, rate.rate, client.credit_currency), now
    )
    if isinstance(credit_used, Issue):
        raise Refused(credit_used)
    stock = StockLedger.of_caller(ctx)
    reserved = await reserve_lines(db, stock, priced)
    terms = request.payment_terms or PaymentTerms.of(client)
    order = Order(
        client_company_id=request.client_company_id,
        placed_by_user_id=ctx.principal.user_id,
        quote_id=request.quote_id,
        idempotency_key=request.idempotency_key,
        request_hash=fingerprint,
        status=OrderStatus.PLACED,
        currency=request.currency,
        incoterm=request.incoterm,
        named_place=request.named_place.strip(),
        shipping_address={key: value for key, value in request.shipping_address.items() if value},
        note=request.note,
        total=total,
        charges_total=charges,
        advance_percent=terms.advance_percent,
        balance_due_on=terms.balance_due_on,
        net_days=terms.net_days,
        credit_currency=client.credit_currency,
        fx_rate=rate.rate,
        fx_rate_id=rate.rate_id,
    )
    db.add(order)
    await db.flush()  # INSERT ... RETURNING fills the id and timestamps: no refresh needed
    assert order.id is not None
    db.add_all(
        OrderLine(
            order_id=order.id,
            variant_id=line.variant_id,
            sku=line.sku,
            product_name=line.product_name,
            quantity=line.quantity,
            unit_price=line.unit_price,
            tier_min_quantity=line.tier_min_quantity,
            line_total=line.line_total,
            position=line.index,
            unit_cost=line.unit_cost,
            cost_currency=line.cost_currency,
        )
        for line in priced
    )
    db.add_all(
        OrderCharge(
            order_id=order.id,
            kind=charge.kind,
            amount=charge.amount,
            description=charge.description,
            position=position,
        )
        for position, charge in enumerate(request.charges)
    )
    await db.flush()
    await stock.write(db, reserved, Cause(StockMovementKind.RESERVED, order_id=order.id))
    # The exposure just checked plus this order: what a recomputation would find.
    await store_credit_used(db, request.client_company_id, credit_used)
    await emit(db, event_types.ORDER_PLACED, order_event(order, None))
    await audit(
        ctx,
        db,
        action="order.place",
        target_type="Order",
        target_id=order.id,
        changes={
            "status": [None, OrderStatus.PLACED.value],
            "total": [None, f"{total} {order.currency}"],
            "lines": [None, [[line.sku, line.quantity, str(line.unit_price)] for line in priced]],
            "charges": [
                None,
                [[charge.kind.value, str(charge.amount)] for charge in request.charges],
            ],
            "payment_terms": [
                None,
                [terms.advance_percent, terms.balance_due_on.value, terms.net_days],
            ],
        },
    )
    return order


async def place_order_as_caller(ctx: Context, order: OrderRequest) -> WriteResult[Order]:
    """`placeOrder`: a client user orders for its own company; staff holding `orders:write`
    (users or API keys) for the client they name; the schema's gate lets no one else in.
    """
    principal = ctx.principal
    company: int | None
    if principal.is_client and principal.client_company_id is not None:
        if order.client_company_id is not None:
            return refused(
                ("input", "clientCompanyId"),
                UserErrorCode.NOT_ALLOWED,
                "client users order for their own company; leave clientCompanyId out",
            )
        company = principal.client_company_id
    else:
        if order.client_company_id is None:
            return refused(
                ("input", "clientCompanyId"),
                UserErrorCode.REQUIRED,
                "staff place orders on behalf of a client: name the client company",
            )
        company = pk_of(order.client_company_id, "ClientCompany")
        if company is None:
            return refused(
                ("input", "clientCompanyId"),
                UserErrorCode.NOT_FOUND,
                "no client company has this id",
            )
    variant_ids = [pk_of(variant, "Variant") for variant, _ in order.lines]
    unknown = [
        Issue(line_path(index, "variantId"), UserErrorCode.NOT_FOUND, "no variant has this id")
        for index, pk in enumerate(variant_ids)
        if pk is None
    ]
    if unknown:
        return WriteResult(issues=unknown)
    request = PlacementRequest(
        client_company_id=company,
        currency=order.currency,
        incoterm=order.incoterm,
        named_place=order.named_place,
        shipping_address=order.shipping_address,
        lines=[
            PlacementLine(variant_id=pk or 0, quantity=quantity)
            for pk, (_, quantity) in zip(variant_ids, order.lines, strict=True)
        ],
        note=order.note,
        idempotency_key=order.idempotency_key,
    )
    return await place_order(ctx, request)


async def place_order(ctx: Context, request: PlacementRequest) -> WriteResult[Order]:
    """Own transaction, idempotency, deadlock retry; refusals as WriteResult issues."""

    async def attempt() -> Order:
        async with ctx.database.transaction() as db:
            return await place_order_in(db, ctx, request)

    try:
        return WriteResult(row=await retry_transaction(attempt))
    except Refused as refusal:
        return WriteResult(issues=refusal.issues)
    except IntegrityError:
        # The client lock makes this unreachable for retries of one key; should a writer
        # that skips the lock ever win the race, the unique constraint stops the duplicate
        # and the retry finds the order it wrote.
        if request.idempotency_key is None:
            raise
        return await _retry_after_duplicate(ctx, request)


async def _retry_after_duplicate(ctx: Context, request: PlacementRequest) -> WriteResult[Order]:
    assert request.idempotency_key is not None
    async with ctx.database.transaction() as db:
        earlier = await _order_with_key(db, request.client_company_id, request.idempotency_key)
    if earlier is None:
        raise RuntimeError("unique violation without an order holding the idempotency key")
    try:
        return WriteResult(row=_replayed(earlier, request_hash(request.normalised())))
    except Refused as refusal:
        return WriteResult(issues=refusal.issues)


async def _lock_client(db: AsyncSession, company_id: int) -> ClientCompany:
    statement = lock_for_no_key_update(
        select(ClientCompany).where(col(ClientCompany.id) == company_id)
    )
    client: ClientCompany | None = (
        await db.scalars(statement.execution_options(populate_existing=True))
    ).first()
    if client is None:
        raise Refused(
            Issue(
                ("input", "clientCompanyId"),
                UserErrorCode.NOT_FOUND,
                "no client company has this id",
            )
        )
    return client


async def _order_with_key(db: AsyncSession, company_id: int, key: str) -> Order | None:
    statement = select(Order).where(
        col(Order.client_company_id) == company_id, col(Order.idempotency_key) == key
    )
    order: Order | None = (await db.scalars(statement)).first()
    return order


def _replayed(earlier: Order, fingerprint: str) -> Order:
    if earlier.request_hash != fingerprint:
        raise Refused(
            Issue(
                ("idempotencyKey",),
                UserErrorCode.IDEMPOTENCY_KEY_REUSED,
                "this key was used for a different order; use a new key for a new order",
            )
        )
    return earlier

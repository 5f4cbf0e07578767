"""Turning a quote into an order: the buyer accepting it, or sales on the buyer's word.

Only the latest revision, while OPEN and valid (`valid_until` today or later), of an
inquiry from a client company (a lead has no company to order for until sales converts it:
`resolvers.inquiries.lead_conversion` moves its inquiries, quotes and all, to the company).
One transaction, rerun on a deadlock: the inquiry becomes WON, the quote CONVERTED (a
conditional update from OPEN, so of two racing conversions exactly one gets past it), then
the order is placed at the quoted prices through the same path as `placeOrder` (stock,
credit, MOQ). A refused placement rolls the whole transaction back, so the quote stays OPEN
to try again. A retry with the same idempotency key after success gets the same order back.

The order keeps the quote's terms of trade: its incoterm, named place, payment terms and
charges, so its total is the quoted total. The buyer may name another place only where the
seller does not pay the carriage to it (the freight was priced to the quoted place).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core.outcomes import Issue, Refused, UserErrorCode, WriteResult
from core.transaction_retry import retry_transaction
from loaders.inquiries import QUOTE_BY_ID
from models.clients import PaymentTerms
from models.inquiries import Inquiry, InquiryStatus, Quote, QuoteLine, QuoteStatus
from models.orders import ChargeKind, Order
from resolvers.context import Context
from resolvers.inquiries.workflow import not_found, visible_inquiry
from resolvers.orders.placement import PlacementLine, PlacementRequest, place_order_in
from resolvers.orders.stored_charges import quote_charges_in
from resolvers.orders.trade_terms import SELLER_PAYS_CARRIAGE, Charge
from resolvers.outcomes import audit, pk_of

QUOTE_ID = ("quoteId",)
# Order input fields that are arguments of the conversion too; every other refusal of the
# placement (lines, stock, credit, currency) is about the quote as a whole.
OWN_ARGUMENTS = frozenset({"shippingAddress", "namedPlace", "note", "idempotencyKey"})


@dataclass(frozen=True)
class Conversion:
    order: Order
    quote: Quote


@dataclass(frozen=True)
class ConversionRequest:
    quote_id: str
    idempotency_key: str
    shipping_address: Mapping[str, Any]
    named_place: str | None = None  # None: the quote's
    note: str = ""


def _refuse(code: UserErrorCode, message: str) -> Refused:
    return Refused(Issue(QUOTE_ID, code, message))


async def convert_quote_to_order(
    ctx: Context, request: ConversionRequest
) -> WriteResult[Conversion]:
    pk = pk_of(request.quote_id, "Quote")
    if pk is None:
        return not_found(QUOTE_ID, "quote")

    async def attempt() -> Conversion:
        async with ctx.database.transaction() as db:
            return await _convert_in(db, ctx, pk, request)

    try:
        return WriteResult(row=await retry_transaction(attempt))
    except Refused as refusal:
        return WriteResult(issues=refusal.issues)


def _as_conversion_issue(issue: Issue) -> Issue:
    """A placement's issue with a path of this mutation's arguments."""
    path = issue.field or ()
    if path[:1] == ("input",):
        path = path[1:]
    if path[:1] and path[0] in OWN_ARGUMENTS:
        return issue if path == issue.field else Issue(path, issue.code, issue.message)
    return Issue(QUOTE_ID, issue.code, issue.message)


async def _visible_quote(ctx: Context, db: AsyncSession, pk: int) -> Quote | None:
    statement = (
        select(Quote)
        .where(col(Quote.id) == pk, ctx.loaders.visible(QUOTE_BY_ID))
        .execution_options(populate_existing=True)
    )
    found: Quote | None = (await db.scalars(statement)).first()
    return found


async def _convert_in(
    db: AsyncSession, ctx: Context, pk: int, request: ConversionRequest
) -> Conversion:
    today = datetime.now(UTC).date()
    quote = await _visible_quote(ctx, db, pk)
    inquiry = None if quote is None else await visible_inquiry(ctx, db, quote.inquiry_id)
    if quote is None or inquiry is None:
        raise _refuse(UserErrorCode.NOT_FOUND, "no quote has this id")
    if inquiry.client_company_id is None:
        raise _refuse(
            UserErrorCode.LEAD_NOT_A_CLIENT,
            "this inquiry came from a guest, not a client: sales must first convert the lead "
            "to a client (convertLeadToClient); the quote then converts as it is",
        )
    replayed = await _check_convertible(db, quote, request.idempotency_key, today)
    if replayed is not None:
        return Conversion(replayed, quote)
    _check_named_place(quote, request.named_place)
    status_before = inquiry.status
    # The inquiry row first, then its quote: the lock order of every inquiry writer.
    won = await db.scalars(
        update(Inquiry)
        .where(
            col(Inquiry.id) == inquiry.id,
            col(Inquiry.status).in_((InquiryStatus.QUOTED, InquiryStatus.WON)),
        )
        .values(status=InquiryStatus.WON, version=col(Inquiry.version) + 1)
        .returning(col(Inquiry.id))
        .execution_options(synchronize_session=False)
    )
    if won.first() is None:
        raise _refuse(UserErrorCode.INQUIRY_CLOSED, "the inquiry was closed meanwhile")
    converted = await _mark_converted(db, pk, today)
    if converted is None:  # another conversion, revision or close committed first
        quote = await _visible_quote(ctx, db, pk)
        assert quote is not None
        replayed = await _check_convertible(db, quote, request.idempotency_key, today)
        if replayed is not None:
            return Conversion(replayed, quote)
        raise _refuse(UserErrorCode.QUOTE_SUPERSEDED, "the quote changed meanwhile")
    lines = await db.scalars(
        select(QuoteLine)
        .where(col(QuoteLine.quote_id) == pk)
        .order_by(col(QuoteLine.position), col(QuoteLine.id))
    )
    charges = await quote_charges_in(db, pk)
    placement = PlacementRequest(
        client_company_id=inquiry.client_company_id,
        currency=converted.currency,
        incoterm=converted.incoterm,
        named_place=converted.named_place if request.named_place is None else request.named_place,
        shipping_address=request.shipping_address,
        lines=[
            PlacementLine(line.variant_id, line.quantity, unit_price=line.unit_price)
            for line in lines
        ],
        note=request.note,
        idempotency_key=request.idempotency_key,
        quote_id=pk,
        payment_terms=PaymentTerms.of(converted),
        charges=[Charge(ChargeKind(row.kind), row.amount, row.description) for row in charges],
    )
    try:
        order = await place_order_in(db, ctx, placement)
    except Refused as refusal:
        raise Refused(*(_as_conversion_issue(issue) for issue in refusal.issues)) from None
    await audit(
        ctx,
        db,
        action="quote.convert",
        target_type="Quote",
        target_id=pk,
        changes={
            "status": [QuoteStatus.OPEN.value, QuoteStatus.CONVERTED.value],
            "order_id": [None, order.id],
            "inquiry_status": [InquiryStatus(status_before).value, InquiryStatus.WON.value],
        },
    )
    return Conversion(order, converted)


def _check_named_place(quote: Quote, named_place: str | None) -> None:
    """Under terms where the seller pays the carriage, the place is what the freight was
    priced to: another one needs a new revision."""
    if named_place is None or quote.incoterm not in SELLER_PAYS_CARRIAGE:
        return
    if named_place.strip().casefold() != quote.named_place.strip().casefold():
        raise Refused(
            Issue(
                ("namedPlace",),
                UserErrorCode.NOT_ALLOWED,
                f"the quote's {quote.incoterm} freight was priced to {quote.named_place}; "
                "ask sales for a revision to another place",
            )
        )


async def _check_convertible(
    db: AsyncSession, quote: Quote, idempotency_key: str, today: date
) -> Order | None:
    """Raise why `quote` cannot be converted; the earlier order for a replayed request."""
    if quote.status == QuoteStatus.CONVERTED:
        order: Order | None = (
            await db.scalars(select(Order).where(col(Order.quote_id) == quote.id))
        ).first()
        if order is not None and order.idempotency_key == idempotency_key:
            return order
        raise _refuse(
            UserErrorCode.QUOTE_ALREADY_CONVERTED, "the quote was already turned into an order"
        )
    if quote.status == QuoteStatus.SUPERSEDED:
        raise _refuse(
            UserErrorCode.QUOTE_SUPERSEDED,
            "a later revision replaced this quote; accept the latest one",
        )
    if quote.status == QuoteStatus.WITHDRAWN:
        raise _refuse(UserErrorCode.QUOTE_WITHDRAWN, "the quote was withdrawn")
    if quote.valid_until < today:
        raise _refuse(
            UserErrorCode.QUOTE_EXPIRED,
            f"the quote was valid until {quote.valid_until}; ask sales for a new revision",
        )
    return None


async def _mark_converted(db: AsyncSession, pk: int, today: date) -> Quote | None:
    statement = (
        update(Quote)
        .where(
            col(Quote.id) == pk,
            col(Quote.status) == QuoteStatus.OPEN,
            col(Quote.valid_until) >= today,
        )
        .values(status=QuoteStatus.CONVERTED)
        .returning(Quote)
        .execution_options(populate_existing=True, synchronize_session=False)
    )
    converted: Quote | None = (await db.scalars(statement)).first()
    return converted

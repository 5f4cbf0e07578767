"""The buyer's mails about quotes: a quote (revision) sent, and one about to expire.

Both link to the quote in the storefront (`PUBLIC_APP_URL/account/quotes/<id>`). A guest's
quote goes to the lead with the `_guest` template, which says how to see it: through the
invitation to an account that follows once sales makes the lead a client.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core.global_id import decode_typed_id
from core.settings import Settings
from jobs.mail.deal_terms import Charge, DealTerms
from jobs.mail.mail_values import (
    BuyerMail,
    MailLine,
    day,
    lines_block,
    money,
    quote_link,
    text_or_dash,
)
from models.catalog import Product, Variant
from models.clients import PaymentTerms
from models.inquiries import (
    Inquiry,
    Lead,
    Quote,
    QuoteLine,
    QuoteStatus,
    inquiry_reference,
)
from models.orders import ChargeKind
from resolvers.orders.stored_charges import quote_charges_in


async def quote_sent(
    session: AsyncSession, payload: Mapping[str, Any], settings: Settings
) -> BuyerMail | None:
    quote = await _quote(session, payload)
    return None if quote is None else await _quote_mail(session, quote, settings, "quote_sent")


async def quote_expiring(
    session: AsyncSession, payload: Mapping[str, Any], settings: Settings
) -> BuyerMail | None:
    """Only while the quote is still open: not for one converted or withdrawn meanwhile."""
    quote = await _quote(session, payload)
    if quote is None or quote.status != QuoteStatus.OPEN:
        return None
    return await _quote_mail(session, quote, settings, "quote_expiring")


async def _quote(session: AsyncSession, payload: Mapping[str, Any]) -> Quote | None:
    pk = decode_typed_id(str(payload["quote_id"]), "Quote", argument="quote_id")
    return await session.get(Quote, pk)


async def _quote_mail(
    session: AsyncSession, quote: Quote, settings: Settings, template: str
) -> BuyerMail | None:
    assert quote.id is not None
    inquiry = await session.get(Inquiry, quote.inquiry_id)
    if inquiry is None:
        return None
    assert inquiry.id is not None
    values: dict[str, object] = {
        "reference": inquiry_reference(inquiry.id),
        "revision": quote.revision,
        "currency": quote.currency,
        "lines": lines_block(await _lines(session, quote.id), quote.currency),
        "total": money(quote.total, quote.currency),
        "valid_until": day(quote.valid_until),
        "incoterm": quote.incoterm,
        "named_place": quote.named_place,
        "lead_time_days": quote.lead_time_days,
        "notes": text_or_dash(quote.notes),
        "quote_url": quote_link(settings.public_app_url, quote.id),
    }
    deal = DealTerms.of(
        quote.currency,
        quote.total - quote.charges_total,
        await _charges(session, quote.id),
        PaymentTerms.of(quote),
    )
    if inquiry.lead_id is not None:
        lead = await session.get(Lead, inquiry.lead_id)
        guest_mail = BuyerMail(f"{template}_guest", values, lead=lead, deal=deal)
        return None if lead is None else guest_mail
    return BuyerMail(template, values, company_id=inquiry.client_company_id, deal=deal)


async def _charges(session: AsyncSession, quote_id: int) -> list[Charge]:
    rows = await quote_charges_in(session, quote_id)
    return [Charge(ChargeKind(row.kind), row.description, row.amount) for row in rows]


async def _lines(session: AsyncSession, quote_id: int) -> list[MailLine]:
    rows = await session.execute(
        select(QuoteLine, Variant.sku, Product.name)
        .join(Variant, col(Variant.id) == col(QuoteLine.variant_id))
        .join(Product, col(Product.id) == col(Variant.product_id))
        .where(col(QuoteLine.quote_id) == quote_id)
        .order_by(col(QuoteLine.position), col(QuoteLine.id))
    )
    return [
        MailLine(sku, name, line.quantity, line.unit_price, line.line_total)
        for line, sku, name in rows
    ]

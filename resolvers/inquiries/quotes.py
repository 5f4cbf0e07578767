"""Sending a quote for an inquiry: each one a new revision, the previous one superseded.

In one transaction: the inquiry becomes QUOTED by a conditional update (so two salespeople
quoting from the same reading cannot both win), the OPEN revision becomes SUPERSEDED, the
new revision is written with its lines and what it changed against the previous one, and
`quote.sent` is emitted with an audit row and the expiry notice scheduled (quote_expiry.py).
Terms sales leaves out are the inquiry's (incoterm, named place) and the company's (payment
terms; a guest's lead gets the default terms), filled in before the charges are checked
against the incoterm, so what is stored is what the buyer was offered.
Revisions are never edited afterwards: what a buyer was sent stays as sent. With an
idempotency key, a retry answers the revision the first call sent instead of sending another.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime

from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core.event_types import QUOTE_SENT
from core.global_id import encode_global_id
from core.outbox import emit
from core.outcomes import Issue, Refused, WriteResult
from models.catalog import Product, Variant
from models.clients import DEFAULT_TERMS, ClientCompany, PaymentTerms
from models.inquiries import Inquiry, InquiryStatus, Quote, QuoteCharge, QuoteLine, QuoteStatus
from resolvers.context import Context
from resolvers.idempotency import created_once, key_issues
from resolvers.inquiries.quote_expiry import schedule_expiry_notice
from resolvers.inquiries.quote_rules import (
    CheckedQuote,
    QuotedTerms,
    QuoteRequest,
    check_lines_in_catalog,
    check_quote,
    quote_changes,
    terms_of_quote,
)
from resolvers.inquiries.workflow import (
    INQUIRY,
    change_open_inquiry,
    check_open,
    conflict,
    not_found,
    visible_inquiry,
)
from resolvers.orders.stored_charges import quote_charges_in
from resolvers.outcomes import audit, pk_of, refusable


async def quote_inquiry(
    ctx: Context,
    *,
    inquiry_id: str,
    request: QuoteRequest,
    expected_version: int | None,
    idempotency_key: str | None = None,
) -> WriteResult[Quote]:
    """A new revision; with a key, a retry answers the revision the first call sent."""
    pk = pk_of(inquiry_id, INQUIRY)
    if pk is None:
        return not_found(("inquiryId",))
    checked, issues = check_quote(request, today=datetime.now(UTC).date())
    issues = issues + key_issues(idempotency_key)
    if issues:
        return WriteResult(issues=issues)

    async def send(db: AsyncSession, before: Inquiry) -> Quote:
        issues = check_open(before, expected_version, at=("inquiryId",))
        terms, missing = terms_of_quote(checked, before, await _company_terms(db, before))
        issues = issues or missing or await _check_catalog(db, checked)
        if issues:
            raise Refused(*issues)
        status_before, version_before = before.status, before.version
        # The first revision's moment, kept: the funnel's time to first quote.
        quoted = {
            "status": InquiryStatus.QUOTED,
            "first_quoted_at": func.coalesce(col(Inquiry.first_quoted_at), func.now()),
        }
        after = await change_open_inquiry(db, before, quoted)
        if after is None:
            raise Refused(conflict(version_before + 1))
        previous = await _latest_revision(db, pk)
        quote = await _write_revision(ctx, db, after, previous, checked, terms)
        await audit(
            ctx,
            db,
            action="quote.send",
            target_type="Quote",
            target_id=quote.id,
            changes={
                "inquiry_id": [None, pk],
                "revision": [None, quote.revision],
                "total": [None, str(checked.total)],
                "charges_total": [None, str(checked.charges_total)],
                "currency": [None, quote.currency],
                "incoterm": [None, quote.incoterm],
                "named_place": [None, quote.named_place],
                "inquiry_status": [status_before, after.status],
                "inquiry_version": [version_before, after.version],
            },
        )
        return quote

    async def work(db: AsyncSession) -> Quote:
        # Checked before the key: a replay answers only a quote of an inquiry still visible.
        before = await visible_inquiry(ctx, db, pk)
        if before is None:
            raise Refused(*not_found(("inquiryId",)).issues)
        return await created_once(
            ctx,
            db,
            operation="quoteInquiry",
            key=idempotency_key,
            normalised_input={
                "inquiry_id": pk,
                "expected_version": expected_version,
                **asdict(checked),
            },
            model=Quote,
            create=lambda: send(db, before),
        )

    return await refusable(ctx, work)


async def _company_terms(db: AsyncSession, inquiry: Inquiry) -> PaymentTerms:
    """The terms the inquiring company is granted; a guest's lead has the default ones."""
    if inquiry.client_company_id is None:
        return DEFAULT_TERMS
    company = await db.get(ClientCompany, inquiry.client_company_id)
    assert company is not None  # a foreign key
    return PaymentTerms.of(company)


async def _check_catalog(db: AsyncSession, checked: CheckedQuote) -> list[Issue]:
    variant_ids = [line.variant_id for line in checked.lines]
    variants = {
        row.id: row
        for row in await db.scalars(select(Variant).where(col(Variant.id).in_(variant_ids)))
        if row.id is not None
    }
    product_ids = {variant.product_id for variant in variants.values()}
    products = {
        row.id: row
        for row in await db.scalars(select(Product).where(col(Product.id).in_(product_ids)))
        if row.id is not None
    }
    return check_lines_in_catalog(checked.lines, variants, products)


async def _latest_revision(db: AsyncSession, inquiry_id: int) -> Quote | None:
    statement = (
        select(Quote)
        .where(col(Quote.inquiry_id) == inquiry_id)
        .order_by(col(Quote.revision).desc())
        .limit(1)
    )
    found: Quote | None = (await db.scalars(statement)).first()
    return found


async def _write_revision(
    ctx: Context,
    db: AsyncSession,
    inquiry: Inquiry,
    previous: Quote | None,
    checked: CheckedQuote,
    terms: QuotedTerms,
) -> Quote:
    assert inquiry.id is not None
    previous_lines: list[QuoteLine] = []
    previous_charges: list[QuoteCharge] = []
    if previous is not None:
        assert previous.id is not None
        previous_lines = list(
            await db.scalars(select(QuoteLine).where(col(QuoteLine.quote_id) == previous.id))
        )
        previous_charges = await quote_charges_in(db, previous.id)
        await db.execute(
            update(Quote)
            .where(col(Quote.inquiry_id) == inquiry.id, col(Quote.status) == QuoteStatus.OPEN)
            .values(status=QuoteStatus.SUPERSEDED)
            .execution_options(synchronize_session=False)
        )
    variant_ids = {line.variant_id for line in previous_lines} | {
        line.variant_id for line in checked.lines
    }
    skus = {
        row.id: row.sku
        for row in await db.scalars(select(Variant).where(col(Variant.id).in_(variant_ids)))
        if row.id is not None
    }
    quote = Quote(
        inquiry_id=inquiry.id,
        revision=1 if previous is None else previous.revision + 1,
        currency=checked.currency,
        valid_until=checked.valid_until,
        lead_time_days=checked.lead_time_days,
        incoterm=terms.incoterm,
        named_place=terms.named_place,
        advance_percent=terms.payment_terms.advance_percent,
        balance_due_on=terms.payment_terms.balance_due_on,
        net_days=terms.payment_terms.net_days,
        notes=checked.notes,
        changes=quote_changes(previous, previous_lines, previous_charges, checked, terms, skus),
        total=checked.total,
        charges_total=checked.charges_total,
        created_by_user_id=ctx.principal.user_id,
    )
    db.add(quote)
    await db.flush()
    assert quote.id is not None
    db.add_all(
        QuoteLine(
            quote_id=quote.id,
            variant_id=line.variant_id,
            quantity=line.quantity,
            unit_price=line.unit_price,
            line_total=line.line_total,
            position=position,
        )
        for position, line in enumerate(checked.lines)
    )
    db.add_all(
        QuoteCharge(
            quote_id=quote.id,
            kind=charge.kind,
            amount=charge.amount,
            description=charge.description,
            position=position,
        )
        for position, charge in enumerate(checked.charges)
    )
    await db.flush()
    await db.refresh(quote)
    await emit(
        db,
        QUOTE_SENT,
        {
            "quote_id": encode_global_id("Quote", quote.id),
            "inquiry_id": encode_global_id(INQUIRY, inquiry.id),
            "client_company_id": None
            if inquiry.client_company_id is None
            else encode_global_id("ClientCompany", inquiry.client_company_id),
            "revision": quote.revision,
            "currency": quote.currency,
            "total": str(checked.total),
            "valid_until": quote.valid_until.isoformat(),
        },
    )
    await schedule_expiry_notice(
        db,
        quote,
        notice_days=ctx.settings.quote_expiry_notice_days,
        now=datetime.now(UTC),
    )
    return quote

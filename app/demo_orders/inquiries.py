"""Inquiries and their quotes: those won (the quote became an order), lost, or still open.

An inquiry comes from a client user, from a guest (a lead), or is entered by sales for a
client (`source`); lost ones carry a reason code beside the words sales wrote, and every
quoted one the moment of its first quote, which is what the funnel report measures.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from app.demo_orders.catalog import UNIT_PRICE_PLACES, Catalog, DraftLine
from app.demo_orders.markets import LOST_REASONS
from app.demo_orders.parties import Company, Parties
from models.inquiries import InquiryStatus, QuoteStatus
from models.money import line_total, round_money

# Inquiries younger than this are still being worked on; older unwon ones were lost.
OPEN_FOR = timedelta(days=21)
# Share of inquiries with a second revision of their quote.
REVISED_SHARE = 0.3
GUEST_SHARE = 0.3
# A revised quote's first revision asked this much more for the same lines.
DEARER = Decimal("1.05")
STAFF_ENTERED_SHARE = 0.1
MESSAGES = (
    "Please quote your best price for the quantities below.",
    "We need these for our autumn range; can you ship within six weeks?",
    "Looking for a new supplier for these items, samples welcome.",
)


@dataclass(slots=True)
class DraftQuote:
    revision: int
    status: QuoteStatus
    created_at: datetime
    lines: list[DraftLine]
    lead_time_days: int
    changes: dict[str, Any]

    @property
    def total(self) -> Decimal:
        return sum((line.line_total for line in self.lines), Decimal(0))


@dataclass(slots=True)
class DraftInquiry:
    company_id: int | None
    lead_id: int | None
    submitted_by: int | None
    source: str  # storefront_guest, client_user or staff
    currency: str  # of its quotes
    incoterm: str
    named_place: str
    message: str
    status: InquiryStatus
    assigned_to: int | None
    created_at: datetime
    updated_at: datetime
    items: list[DraftLine]
    quotes: list[DraftQuote] = field(default_factory=list)
    lost_reason_code: str | None = None
    lost_reason: str = ""
    required_by: Any = None
    # The payment terms its quotes offer: the company's, a guest's the default ones.
    advance_percent: int = 0
    balance_due_on: str = "invoice"
    net_days: int = 30

    @property
    def version(self) -> int:
        # One edit per assignment, per quote and per closing.
        closed = self.status in (InquiryStatus.WON, InquiryStatus.LOST)
        return 1 + (self.assigned_to is not None) + len(self.quotes) + closed

    @property
    def first_quoted_at(self) -> datetime | None:
        return self.quotes[0].created_at if self.quotes else None


def _changes(before: DraftQuote, after: DraftQuote, currency: str) -> dict[str, Any]:
    """The shape of `resolvers.inquiries.quote_rules.quote_changes`: only prices moved."""
    return {
        "fields": {
            "total": [
                str(round_money(before.total, currency)),
                str(round_money(after.total, currency)),
            ]
        },
        "lines": [
            {
                "variantId": old.variant.id,
                "sku": old.variant.sku,
                "change": "changed",
                "unitPrice": [str(old.unit_price), str(new.unit_price)],
            }
            for old, new in zip(before.lines, after.lines, strict=True)
            if old.unit_price != new.unit_price
        ],
    }


def _quotes(
    rng: random.Random, lines: list[DraftLine], first: datetime, last: datetime, final: QuoteStatus,
    currency: str,
) -> list[DraftQuote]:  # fmt: skip
    """One or two revisions between `first` and `last`; the last one ends as `final`. The
    first revision of a revised quote asked a little more for the same lines."""
    lead_time = rng.randint(14, 45)
    if rng.random() >= REVISED_SHARE:
        return [DraftQuote(1, final, first, lines, lead_time, {})]
    dearer = []
    for line in lines:
        price = (line.unit_price * DEARER).quantize(UNIT_PRICE_PLACES, ROUND_HALF_UP)
        dearer.append(
            DraftLine(
                line.variant, line.quantity, price, None, line_total(price, line.quantity, currency)
            )
        )
    opening = DraftQuote(1, QuoteStatus.SUPERSEDED, first, dearer, lead_time, {})
    revised_at = first + (last - first) * rng.uniform(0.3, 0.8)
    revised = DraftQuote(2, final, revised_at, lines, lead_time, {})
    revised.changes = _changes(opening, revised, currency)
    return [opening, revised]


def _sender(rng: random.Random, company: Company, sales_ids: list[int]) -> tuple[int, str]:
    if rng.random() < STAFF_ENTERED_SHARE:
        return rng.choice(sales_ids), "staff"
    return rng.choice(company.user_ids), "client_user"


def won_inquiry(
    rng: random.Random,
    company: Company,
    lines: list[DraftLine],
    ordered_at: datetime,
    sales_ids: list[int],
) -> DraftInquiry:
    """The inquiry whose last quote, at `lines`' prices, became the order placed at
    `ordered_at`."""
    asked = ordered_at - timedelta(days=rng.uniform(4, 30))
    quoted = asked + min(timedelta(hours=rng.uniform(2, 96)), (ordered_at - asked) / 2)
    sender, source = _sender(rng, company, sales_ids)
    inquiry = DraftInquiry(
        company_id=company.id,
        lead_id=None,
        submitted_by=sender,
        source=source,
        currency=company.currency,
        incoterm=company.incoterm,
        named_place=company.market.port,
        message=rng.choice(MESSAGES),
        status=InquiryStatus.WON,
        assigned_to=rng.choice(sales_ids),
        created_at=asked,
        updated_at=ordered_at,
        items=lines,
        advance_percent=company.advance_percent,
        balance_due_on=company.balance_due_on,
        net_days=company.net_days,
    )
    inquiry.quotes = _quotes(
        rng, lines, quoted, ordered_at, QuoteStatus.CONVERTED, company.currency
    )
    return inquiry


def other_inquiry(
    rng: random.Random,
    parties: Parties,
    company: Company,
    catalog: Catalog,
    asked: datetime,
    now: datetime,
) -> DraftInquiry:
    """An inquiry not (yet) won: lost if older than OPEN_FOR, otherwise new, assigned or
    quoted. Guests ask in US dollars; clients in their currency."""
    guest = rng.random() < GUEST_SHARE
    currency = "USD" if guest else company.currency
    discount = Decimal(rng.randint(0, 8)) / 100
    lines = catalog.draft_lines(rng, currency, rng.choice((1, 1, 2, 3)), discount)
    if guest:
        lead = rng.choice(parties.leads)
        sender, source, lead_id, company_id = None, "storefront_guest", lead.id, None
    else:
        lead_id, company_id = None, company.id
        sender, source = _sender(rng, company, parties.sales_ids)
    inquiry = DraftInquiry(
        company_id=company_id,
        lead_id=lead_id,
        submitted_by=sender,
        source=source,
        currency=currency,
        incoterm=company.incoterm,
        named_place=company.market.port,
        message=rng.choice(MESSAGES),
        status=InquiryStatus.NEW,
        assigned_to=None,
        created_at=asked,
        updated_at=asked,
        items=lines,
    )
    if not guest:
        inquiry.advance_percent = company.advance_percent
        inquiry.balance_due_on = company.balance_due_on
        inquiry.net_days = company.net_days
    step = rng.random()
    if now - asked < OPEN_FOR:
        if step < 0.3:
            return inquiry
        inquiry.status, inquiry.assigned_to = InquiryStatus.ASSIGNED, rng.choice(parties.sales_ids)
        quoted = asked + timedelta(hours=rng.uniform(2, 120))
        if step < 0.6 or quoted > now:
            return inquiry
        inquiry.status, inquiry.updated_at = InquiryStatus.QUOTED, quoted
        inquiry.quotes = _quotes(rng, lines, quoted, now, QuoteStatus.OPEN, currency)
        return inquiry
    inquiry.assigned_to = rng.choice(parties.sales_ids)
    closed = asked + timedelta(days=rng.uniform(3, 20))
    code, words = rng.choice(LOST_REASONS)
    inquiry.status, inquiry.updated_at = InquiryStatus.LOST, closed
    inquiry.lost_reason_code, inquiry.lost_reason = code, words
    if step < 0.8:  # most were quoted before they were lost
        quoted = asked + (closed - asked) * rng.uniform(0.05, 0.5)
        inquiry.quotes = _quotes(rng, lines, quoted, closed, QuoteStatus.WITHDRAWN, currency)
    return inquiry

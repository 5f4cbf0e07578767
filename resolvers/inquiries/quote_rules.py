"""What a valid quote looks like, its totals, and what a revision changed: no GraphQL, no I/O.

Prices follow the one rounding rule (models.money): each line total is rounded once in
the quote's currency; the total is the sum of the line totals plus the charges. The terms of
trade (incoterm, named place, payment terms) default to the inquiry's and the company's when
sales leaves them out, and the charges must be those the incoterm makes the seller's
(resolvers/orders/trade_terms.py). A revision records its
differences from the previous one in the API's words, so sales and the buyer can see what
moved between revision 2 and 3 without comparing them by eye.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from core.outcomes import Issue, UserErrorCode
from models.catalog import Product, ProductStatus, Variant
from models.clients import PaymentTerms
from models.inquiries import Inquiry, Quote, QuoteCharge, QuoteLine
from models.money import MAX_AMOUNT, UNIT_PRICE_PLACES, line_total, round_money
from models.orders import MAX_QUANTITY, ChargeKind
from resolvers.checks import Checker, Path
from resolvers.inquiries.rules import MAX_MESSAGE_LENGTH, MAX_UNIT_PRICE
from resolvers.orders.rules import MAX_NAMED_PLACE_LENGTH
from resolvers.orders.trade_terms import (
    Charge,
    ChargeRequest,
    PaymentTermsRequest,
    charges_total,
    check_charges,
    check_payment_terms,
    missing_charges,
)
from resolvers.outcomes import pk_of

MAX_LINES = 100
MAX_LEAD_TIME_DAYS = 730
# Numeric(18, 4): line totals and the quote's total.
_UNIT = Decimal(1).scaleb(-UNIT_PRICE_PLACES)


@dataclass(frozen=True)
class QuoteLineRequest:
    variant_id: str
    quantity: int
    unit_price: Decimal


@dataclass(frozen=True)
class QuoteRequest:
    lines: Sequence[QuoteLineRequest]
    currency: str
    valid_until: date
    lead_time_days: int
    notes: str = ""
    incoterm: str | None = None  # None: the inquiry's
    named_place: str | None = None  # None: the inquiry's
    payment_terms: PaymentTermsRequest | None = None  # None: the company's
    charges: Sequence[ChargeRequest] = ()


@dataclass(frozen=True)
class PricedLine:
    index: int  # position in the input, for the paths of later problems
    variant_id: int
    quantity: int
    unit_price: Decimal
    line_total: Decimal = Decimal(0)


@dataclass(frozen=True)
class CheckedQuote:
    lines: list[PricedLine]
    currency: str
    valid_until: date
    lead_time_days: int
    notes: str
    incoterm: str | None = None
    named_place: str | None = None
    payment_terms: PaymentTerms | None = None
    charges: tuple[Charge, ...] = ()

    @property
    def lines_total(self) -> Decimal:
        return sum((line.line_total for line in self.lines), Decimal(0))

    @property
    def charges_total(self) -> Decimal:
        return charges_total(self.charges)

    @property
    def total(self) -> Decimal:
        return self.lines_total + self.charges_total


@dataclass(frozen=True)
class QuotedTerms:
    """The terms a revision is sent under, every default filled in."""

    incoterm: str
    named_place: str
    payment_terms: PaymentTerms


def terms_of_quote(
    checked: CheckedQuote, inquiry: Inquiry, company_terms: PaymentTerms
) -> tuple[QuotedTerms, list[Issue]]:
    """The revision's terms (the inquiry's and the company's where sales gave none), and the
    charges its incoterm requires that it leaves out."""
    incoterm = checked.incoterm or inquiry.incoterm
    terms = QuotedTerms(
        incoterm=incoterm,
        named_place=checked.named_place or inquiry.named_place,
        payment_terms=checked.payment_terms or company_terms,
    )
    return terms, missing_charges(("input", "charges"), incoterm, checked.charges)


def check_quote(request: QuoteRequest, *, today: date) -> tuple[CheckedQuote, list[Issue]]:
    """The quote's shape, with its lines priced; every problem found, by input path."""
    problems = Checker()
    currency = problems.currency(("currency",), request.currency)
    problems.not_before(("validUntil",), request.valid_until, today)
    if not 0 <= request.lead_time_days <= MAX_LEAD_TIME_DAYS:
        problems.fail(
            ("leadTimeDays",),
            UserErrorCode.OUT_OF_RANGE,
            f"must be from 0 to {MAX_LEAD_TIME_DAYS}",
        )
    notes = problems.text(("notes",), request.notes, MAX_MESSAGE_LENGTH, required=False)
    incoterm = None
    if request.incoterm is not None:
        incoterm = problems.incoterm(("incoterm",), request.incoterm)
    named_place = None
    if request.named_place is not None:
        named_place = problems.text(
            ("namedPlace",), request.named_place, MAX_NAMED_PLACE_LENGTH, required=True
        )
    terms = None
    if request.payment_terms is not None:
        terms = check_payment_terms(problems, ("paymentTerms",), request.payment_terms)
    charges = check_charges(problems, ("charges",), request.charges, currency)
    problems.item_count(("lines",), len(request.lines), MAX_LINES)
    lines: list[PricedLine] = []
    seen: set[int] = set()
    for index, line in enumerate(request.lines):
        at: Path = ("lines", str(index))
        variant_id = pk_of(line.variant_id, "Variant")
        problems.in_range((*at, "quantity"), line.quantity, 1, MAX_QUANTITY)
        problems.unit_price((*at, "unitPrice"), line.unit_price, MAX_UNIT_PRICE)
        if variant_id is None:
            problems.fail((*at, "variantId"), UserErrorCode.NOT_FOUND, "no variant has this id")
            continue
        if variant_id in seen:
            problems.fail(
                (*at, "variantId"),
                UserErrorCode.DUPLICATE_ITEM,
                "this variant is already quoted on another line; merge the quantities",
            )
        seen.add(variant_id)
        lines.append(PricedLine(index, variant_id, line.quantity, line.unit_price))
    if not problems.issues:
        lines = _priced(problems, lines, currency)
    checked = CheckedQuote(
        lines,
        currency,
        request.valid_until,
        request.lead_time_days,
        notes,
        incoterm=incoterm,
        named_place=named_place,
        payment_terms=terms,
        charges=tuple(charges),
    )
    if not problems.issues and checked.total > MAX_AMOUNT:
        problems.fail(("lines",), UserErrorCode.OUT_OF_RANGE, "the total is too large")
    return checked, problems.issues


def _priced(problems: Checker, lines: list[PricedLine], currency: str) -> list[PricedLine]:
    priced = []
    for line in lines:
        amount = line_total(line.unit_price, line.quantity, currency)
        if amount > MAX_AMOUNT:
            problems.fail(
                ("lines", str(line.index)),
                UserErrorCode.OUT_OF_RANGE,
                "the line total is too large",
            )
        priced.append(
            PricedLine(line.index, line.variant_id, line.quantity, line.unit_price, amount)
        )
    return priced


def check_lines_in_catalog(
    lines: Sequence[PricedLine],
    variants: Mapping[int, Variant],
    products: Mapping[int, Product],
) -> list[Issue]:
    """Each line quotes a variant of an active product, for at least the product's MOQ."""
    problems = Checker()
    for line in lines:
        at: Path = ("lines", str(line.index))
        variant = variants.get(line.variant_id)
        product = None if variant is None else products.get(variant.product_id)
        if product is None or product.status != ProductStatus.ACTIVE:
            problems.fail((*at, "variantId"), UserErrorCode.NOT_FOUND, "no variant has this id")
        elif line.quantity < product.moq:
            problems.fail(
                (*at, "quantity"),
                UserErrorCode.BELOW_MOQ,
                f"must be at least the minimum order quantity of {product.name}: {product.moq}",
            )
    return problems.issues


def _price_text(amount: Decimal) -> str:
    return str(amount.quantize(_UNIT))


def _charge_fields(charges: Sequence[Charge | QuoteCharge], currency: str) -> dict[str, Any]:
    """A revision's charges as change fields: freight and insurance amounts, the others as
    "description amount" joined in order; None where there is none."""

    def amount(charge: Charge | QuoteCharge) -> str:
        return str(round_money(charge.amount, currency))

    def single(kind: ChargeKind) -> str | None:
        return next((amount(charge) for charge in charges if charge.kind == kind), None)

    others = [f"{charge.description} {amount(charge)}" for charge in charges
              if charge.kind == ChargeKind.OTHER]  # fmt: skip
    return {
        "freight": single(ChargeKind.FREIGHT),
        "insurance": single(ChargeKind.INSURANCE),
        "otherCharges": "; ".join(others) or None,
    }


def quote_changes(
    previous: Quote | None,
    previous_lines: Sequence[QuoteLine],
    previous_charges: Sequence[QuoteCharge],
    new: CheckedQuote,
    terms: QuotedTerms,
    skus: Mapping[int, str],
) -> dict[str, Any]:
    """What `new`, sent under `terms`, changes against `previous`: empty for a first revision.

    `{"fields": {"validUntil": ["2026-06-30", "2026-07-31"], "incoterm": ["FOB", "CIF"],
    "freight": [null, "1200.00"], ...}, "lines": [{"variantId": 7, "sku": "...", "change":
    "added" | "removed" | "changed", "quantity": [before, after], "unitPrice": [before,
    after]}]}`, amounts as decimal strings, lines in variant order.
    """
    if previous is None:
        return {}
    before_fields: dict[str, Any] = {
        "currency": previous.currency,
        "validUntil": previous.valid_until.isoformat(),
        "leadTimeDays": previous.lead_time_days,
        "notes": previous.notes,
        "incoterm": previous.incoterm,
        "namedPlace": previous.named_place,
        "advancePercent": previous.advance_percent,
        "balanceDueOn": str(previous.balance_due_on),
        "netDays": previous.net_days,
        **_charge_fields(previous_charges, previous.currency),
        "total": str(round_money(previous.total, previous.currency)),
    }
    paid = terms.payment_terms
    after_fields: dict[str, Any] = {
        "currency": new.currency,
        "validUntil": new.valid_until.isoformat(),
        "leadTimeDays": new.lead_time_days,
        "notes": new.notes,
        "incoterm": terms.incoterm,
        "namedPlace": terms.named_place,
        "advancePercent": paid.advance_percent,
        "balanceDueOn": str(paid.balance_due_on),
        "netDays": paid.net_days,
        **_charge_fields(new.charges, new.currency),
        "total": str(new.total),
    }
    fields = {
        name: [before, after_fields[name]]
        for name, before in before_fields.items()
        if before != after_fields[name]
    }
    old = {line.variant_id: line for line in previous_lines}
    current = {line.variant_id: line for line in new.lines}
    lines = []
    for variant_id in sorted(old.keys() | current.keys()):
        was, now = old.get(variant_id), current.get(variant_id)
        quantity = [None if was is None else was.quantity, None if now is None else now.quantity]
        price = [
            None if was is None else _price_text(was.unit_price),
            None if now is None else _price_text(now.unit_price),
        ]
        if was is None:
            change = "added"
        elif now is None:
            change = "removed"
        elif quantity[0] != quantity[1] or price[0] != price[1]:
            change = "changed"
        else:
            continue
        lines.append(
            {
                "variantId": variant_id,
                "sku": skus.get(variant_id, ""),
                "change": change,
                "quantity": quantity,
                "unitPrice": price,
            }
        )
    return {"fields": fields, "lines": lines}

"""`Quote`: one revision of the offer sales sent for an inquiry, with what it changed.

Whoever may see the inquiry (its client's users, staff with `orders:read_all`) sees its
quotes whole: they are what was sent to the buyer.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Self

import strawberry

from core.global_id import encode_global_id
from models import inquiries as rows
from models.money import round_money
from resolvers.inquiries import reads as inquiries
from schema.catalog.enums import Incoterm
from schema.catalog.variant import Variant
from schema.clients.types import BalanceDueOn, PaymentTerms
from schema.info import Info
from schema.inquiries.enums import QuoteLineChangeKind, QuoteStatus
from schema.money import Money
from schema.node import Node
from schema.orders.charges import Charge
from schema.orders.types import Order

if TYPE_CHECKING:
    from schema.inquiries.inquiry import Inquiry


@strawberry.type(description="One quoted variant: quantity and price as sent to the buyer.")
class QuoteLine:
    row: strawberry.Private[rows.QuoteLine]
    quantity: int = strawberry.field(description="Units quoted.")
    unit_price: Money = strawberry.field(description="Price of one unit; up to 4 decimals.")
    line_total: Money = strawberry.field(
        description="unitPrice times quantity, rounded once to the currency's minor unit."
    )

    @classmethod
    def from_row(cls, row: rows.QuoteLine, currency: str) -> Self:
        return cls(
            row=row,
            quantity=row.quantity,
            unit_price=Money(amount=row.unit_price, currency=currency),
            line_total=Money(amount=round_money(row.line_total, currency), currency=currency),
        )

    @strawberry.field(description="The variant quoted; null once its product is off sale.")
    async def variant(self, info: Info) -> Variant | None:
        found = await inquiries.variant(info.context, self.row.variant_id)
        return None if found is None else Variant.from_row(found)


@strawberry.type(description="A field of the quote that a revision changed.")
class QuoteChange:
    field: str = strawberry.field(
        description=(
            "currency, validUntil, leadTimeDays, notes, incoterm, namedPlace, advancePercent, "
            "balanceDueOn, netDays, freight, insurance, otherCharges or total. A charge field "
            "is null on the side where there was none; otherCharges lists description and "
            "amount of each, separated by '; '."
        )
    )
    before: str | None = strawberry.field(description="The value in the previous revision.")
    after: str | None = strawberry.field(description="The value in this revision.")


@strawberry.type(description="A line that a revision added, removed or changed.")
class QuoteLineChange:
    variant_id: strawberry.Private[int]
    sku: str = strawberry.field(description="The variant's SKU when the revision was written.")
    change: QuoteLineChangeKind = strawberry.field(description="What happened to the line.")
    quantity_before: int | None = strawberry.field(
        description="Units in the previous revision; null when the line was added."
    )
    quantity_after: int | None = strawberry.field(
        description="Units in this revision; null when the line was removed."
    )
    unit_price_before: Decimal | None = strawberry.field(
        description="Unit price in the previous revision's currency; null when added."
    )
    unit_price_after: Decimal | None = strawberry.field(
        description="Unit price in this revision's currency; null when removed."
    )

    @classmethod
    def from_stored(cls, stored: dict[str, Any]) -> Self:
        quantity = stored.get("quantity") or [None, None]
        price = stored.get("unitPrice") or [None, None]
        return cls(
            variant_id=int(stored["variantId"]),
            sku=str(stored.get("sku") or ""),
            change=QuoteLineChangeKind(stored["change"]),
            quantity_before=quantity[0],
            quantity_after=quantity[1],
            unit_price_before=None if price[0] is None else Decimal(price[0]),
            unit_price_after=None if price[1] is None else Decimal(price[1]),
        )

    @strawberry.field(description="The variant; null once its product is off sale.")
    async def variant(self, info: Info) -> Variant | None:
        found = await inquiries.variant(info.context, self.variant_id)
        return None if found is None else Variant.from_row(found)


def _money(amount: Decimal, currency: str) -> Money:
    return Money(amount=round_money(amount, currency), currency=currency)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


@strawberry.type(description="One revision of a quote for an inquiry, as sent to the buyer.")
class Quote(Node):
    row: strawberry.Private[rows.Quote]
    revision: int = strawberry.field(description="1 for the first quote, then 2, 3...")
    status: QuoteStatus = strawberry.field(description="Open, superseded, converted, withdrawn.")
    currency: str = strawberry.field(description="ISO 4217 currency of every price.")
    valid_until: date = strawberry.field(
        description="The last day the buyer may accept it (convertQuoteToOrder)."
    )
    lead_time_days: int = strawberry.field(description="Days from order to readiness to ship.")
    notes: str = strawberry.field(description="Sales' notes to the buyer; may be empty.")
    incoterm: Incoterm = strawberry.field(
        description="The Incoterms 2020 rule quoted; the inquiry's unless sales chose another."
    )
    named_place: str = strawberry.field(
        description="The rule's named place, e.g. the port of destination for CIF."
    )
    payment_terms: PaymentTerms = strawberry.field(
        description="The payment terms offered; the company's (a guest's: 0%, invoice, 30 days) "
        "unless sales chose others. An order from this quote keeps them."
    )
    total: Money = strawberry.field(
        description=(
            "What the buyer would pay: linesTotal plus chargesTotal (quotes without charges: "
            "the sum of the line totals, as before charges existed)."
        )
    )
    lines_total: Money = strawberry.field(description="Sum of the line totals.")
    charges_total: Money = strawberry.field(
        description="Sum of the charges (freight, insurance, other); 0 without any."
    )
    changes: list[QuoteChange] = strawberry.field(
        description="Fields this revision changed against the previous one; empty for the first."
    )
    line_changes: list[QuoteLineChange] = strawberry.field(
        description="Lines this revision added, removed or changed, in variant order."
    )
    created_at: datetime = strawberry.field(description="When this revision was sent.")

    @classmethod
    def from_row(cls, row: rows.Quote) -> Self:
        assert row.id is not None
        assert row.created_at is not None
        stored = row.changes or {}
        return cls(
            id=strawberry.ID(encode_global_id("Quote", row.id)),
            row=row,
            revision=row.revision,
            status=QuoteStatus(row.status),
            currency=row.currency,
            valid_until=row.valid_until,
            lead_time_days=row.lead_time_days,
            notes=row.notes,
            incoterm=Incoterm(row.incoterm),
            named_place=row.named_place,
            payment_terms=PaymentTerms(
                advance_percent=row.advance_percent,
                balance_due_on=BalanceDueOn(row.balance_due_on),
                net_days=row.net_days,
            ),
            total=_money(row.total, row.currency),
            lines_total=_money(row.total - row.charges_total, row.currency),
            charges_total=_money(row.charges_total, row.currency),
            changes=[
                QuoteChange(field=name, before=_text(pair[0]), after=_text(pair[1]))
                for name, pair in (stored.get("fields") or {}).items()
            ],
            line_changes=[QuoteLineChange.from_stored(line) for line in stored.get("lines", [])],
            created_at=row.created_at,
        )

    @strawberry.field(description="The quoted lines, in the order sales wrote them.")
    async def lines(self, info: Info) -> list[QuoteLine]:
        found = await inquiries.quote_lines(info.context, self.row)
        return [QuoteLine.from_row(line, self.row.currency) for line in found]

    @strawberry.field(
        description="Charges beside the goods, in `currency`, as quoted; an order copies them."
    )
    async def charges(self, info: Info) -> list[Charge]:
        found = await inquiries.quote_charges(info.context, self.row)
        return [Charge.from_row(charge, self.row.currency) for charge in found]

    @strawberry.field(description="The inquiry this quote answers.")
    async def inquiry(
        self, info: Info
    ) -> Annotated[Inquiry, strawberry.lazy("schema.inquiries.inquiry")] | None:
        from schema.inquiries.inquiry import Inquiry

        found = await inquiries.quote_inquiry(info.context, self.row)
        return None if found is None else Inquiry.from_row(found)

    @strawberry.field(description="The order this quote became; null unless CONVERTED.")
    async def order(self, info: Info) -> Order | None:
        found = await inquiries.order_of(info.context, self.row)
        return None if found is None else Order.from_row(found)

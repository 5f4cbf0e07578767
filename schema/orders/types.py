"""`Order` and what it carries: lines, payments, the shipping address, its state.

Whoever may see an order (its client's users, staff with `orders:read_all`) sees all of it
but the exchange rate and credit currency it was placed at, which need `finance:read`.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Optional, Self

import strawberry

from auth.policy import Permission
from core.global_id import encode_global_id
from models import orders as rows
from models.catalog import Variant as VariantRow
from models.clients import ClientCompany as ClientCompanyRow
from models.money import round_money
from resolvers.look_ahead import Soon
from resolvers.orders import reads as orders
from resolvers.pagination import Page
from resolvers.shipments import writes as shipments
from schema.catalog.enums import Incoterm
from schema.catalog.variant import Variant
from schema.clients.types import BalanceDueOn, ClientCompany, PaymentTerms
from schema.info import Info
from schema.ledger.types import Receivable, receivable_of_order
from schema.money import Money
from schema.node import Node, PageInfo, connection_parts
from schema.orders.charges import Charge
from schema.permissions import permission_field
from schema.shipments.types import Shipment


@strawberry.enum(description="Where an order is in its life: placed, confirmed, paid, shipped...")
class OrderStatus(Enum):
    PLACED = strawberry.enum_value(
        rows.OrderStatus.PLACED.value, description="Placed by the client; stock is reserved."
    )
    CONFIRMED = strawberry.enum_value(
        rows.OrderStatus.CONFIRMED.value, description="Accepted by sales; payments may follow."
    )
    PAID = strawberry.enum_value(
        rows.OrderStatus.PAID.value, description="Confirmed and fully paid, not yet shipped."
    )
    PARTLY_SHIPPED = strawberry.enum_value(
        rows.OrderStatus.PARTLY_SHIPPED.value,
        description=(
            "Some shipments departed, not yet every unit: what left was taken off stock; the "
            "order can no longer be cancelled."
        ),
    )
    SHIPPED = strawberry.enum_value(
        rows.OrderStatus.SHIPPED.value,
        description="Every unit left (whole, or by its last shipment); stock on hand was reduced.",
    )
    DELIVERED = strawberry.enum_value(
        rows.OrderStatus.DELIVERED.value, description="The goods reached their destination."
    )
    CANCELLED = strawberry.enum_value(
        rows.OrderStatus.CANCELLED.value,
        description="Cancelled before shipping; its stock reservation was released.",
    )


@strawberry.enum(description="How much of an order's total has been received.")
class PaymentStatus(Enum):
    UNPAID = strawberry.enum_value(rows.PaymentStatus.UNPAID.value, description="Nothing yet.")
    PARTLY_PAID = strawberry.enum_value(
        rows.PaymentStatus.PARTLY_PAID.value, description="Some, not all, of the total."
    )
    PAID = strawberry.enum_value(rows.PaymentStatus.PAID.value, description="The whole total.")


@strawberry.type(description="Where the goods go.")
class ShippingAddress:
    name: str = strawberry.field(description="Recipient: a company or a person.")
    line1: str = strawberry.field(description="Street and number.")
    line2: str = strawberry.field(description="Further address detail; may be empty.")
    city: str = strawberry.field(description="City or town.")
    region: str = strawberry.field(description="State, province or region; may be empty.")
    postal_code: str = strawberry.field(description="Postal code; may be empty.")
    country: str = strawberry.field(description="ISO 3166-1 alpha-2 country code.")

    @classmethod
    def from_stored(cls, stored: dict[str, Any]) -> Self:
        def text(name: str) -> str:
            return str(stored.get(name) or "")

        return cls(
            name=text("name"),
            line1=text("line1"),
            line2=text("line2"),
            city=text("city"),
            region=text("region"),
            postal_code=text("postal_code"),
            country=text("country"),
        )


@strawberry.type(description="One variant of an order, priced by the server when it was placed.")
class OrderLine:
    row: strawberry.Private[rows.OrderLine]
    id: strawberry.ID = strawberry.field(description="Global id of the line.")
    sku: str = strawberry.field(description="The variant's SKU when the order was placed.")
    product_name: str = strawberry.field(description="The product's name when it was placed.")
    quantity: int = strawberry.field(description="Units ordered.")
    shipped_quantity: int = strawberry.field(
        description="Units that left on departed shipments (all of them once the order shipped)."
    )
    unit_price: Money = strawberry.field(
        description="Price of one unit, from the quantity tier or the quote; up to 4 decimals."
    )
    line_total: Money = strawberry.field(
        description="unitPrice times quantity, rounded once to the currency's minor unit."
    )

    @classmethod
    def from_row(cls, row: rows.OrderLine, currency: str) -> Self:
        assert row.id is not None
        return cls(
            row=row,
            id=strawberry.ID(encode_global_id("OrderLine", row.id)),
            sku=row.sku,
            product_name=row.product_name,
            quantity=row.quantity,
            shipped_quantity=row.shipped_quantity,
            unit_price=Money(amount=row.unit_price, currency=currency),
            line_total=Money(amount=round_money(row.line_total, currency), currency=currency),
        )

    @strawberry.field(
        description="The variant as it is now; null once its product is no longer on sale.",
        graphql_type=Variant | None,
    )
    def variant(self, info: Info) -> Soon[Variant | None]:
        def variant(found: VariantRow | None) -> Variant | None:
            return None if found is None else Variant.from_row(found)

        return orders.line_variant(info.context, self.row, variant)


@strawberry.type(description="Money received against an order, in the order's currency.")
class Payment:
    row: strawberry.Private[rows.Payment]
    id: strawberry.ID = strawberry.field(description="Global id of the payment.")
    amount: Money = strawberry.field(description="The amount received.")
    reference: str = strawberry.field(description="The bank's or provider's reference.")
    received_at: datetime = strawberry.field(description="When the money was received.")

    @classmethod
    def from_row(cls, row: rows.Payment) -> Self:
        assert row.id is not None
        return cls(
            row=row,
            id=strawberry.ID(encode_global_id("Payment", row.id)),
            amount=Money(amount=round_money(row.amount, row.currency), currency=row.currency),
            reference=row.reference,
            received_at=row.received_at,
        )

    @strawberry.field(
        description="The order it was received against; null if the caller may not see it.",
        graphql_type=Optional["Order"],
    )
    def order(self, info: Info) -> Soon[Order | None]:
        def order(found: rows.Order | None) -> Order | None:
            return None if found is None else Order.from_row(found)

        return orders.payment_order(info.context, self.row, order)


def _money(amount: Decimal, currency: str) -> Money:
    return Money(amount=round_money(amount, currency), currency=currency)


@strawberry.type(description="A client's order: lines priced by the server, and its state.")
class Order(Node):
    row: strawberry.Private[rows.Order]
    number: str = strawberry.field(description="The order number people quote, e.g. SO-000042.")
    status: OrderStatus = strawberry.field(description="Where the order is in its life.")
    payment_status: PaymentStatus = strawberry.field(
        description="How much of the total has been received."
    )
    currency: str = strawberry.field(description="ISO 4217 currency of every amount.")
    incoterm: Incoterm = strawberry.field(description="The Incoterms 2020 rule of the sale.")
    named_place: str = strawberry.field(
        description="The place the incoterm refers to, e.g. the port of loading for FOB."
    )
    shipping_address: ShippingAddress = strawberry.field(description="Where the goods go.")
    note: str = strawberry.field(description="The client's note; may be empty.")
    total: Money = strawberry.field(
        description=(
            "What the client owes for the order: linesTotal plus chargesTotal (orders without "
            "charges: the sum of the line totals, as before charges existed)."
        )
    )
    lines_total: Money = strawberry.field(description="Sum of the line totals.")
    charges_total: Money = strawberry.field(
        description="Sum of the charges (freight, insurance, other); 0 without any."
    )
    payment_terms: PaymentTerms = strawberry.field(
        description=(
            "The payment terms of this order: its quote's, or its company's when it was "
            "placed. The receivable's advance and due date follow them."
        )
    )
    amount_paid: Money = strawberry.field(description="Sum of the payments recorded.")
    balance_due: Money = strawberry.field(description="total minus amountPaid.")
    placed_at: datetime = strawberry.field(description="When the order was placed.")
    confirmed_at: datetime | None = strawberry.field(description="When sales confirmed it.")
    paid_at: datetime | None = strawberry.field(description="When payments covered the total.")
    shipped_at: datetime | None = strawberry.field(description="When it shipped.")
    delivered_at: datetime | None = strawberry.field(description="When it was delivered.")
    cancelled_at: datetime | None = strawberry.field(description="When it was cancelled.")
    cancel_reason: str = strawberry.field(description="Why it was cancelled; empty otherwise.")
    version: int = strawberry.field(description="Increases with every change of state.")

    @classmethod
    def from_row(cls, row: rows.Order) -> Self:
        assert row.id is not None
        assert row.created_at is not None
        return cls(
            id=strawberry.ID(encode_global_id("Order", row.id)),
            row=row,
            number=rows.order_number(row.id),
            status=OrderStatus(row.status),
            payment_status=PaymentStatus(row.payment_status),
            currency=row.currency,
            incoterm=Incoterm(row.incoterm),
            named_place=row.named_place,
            shipping_address=ShippingAddress.from_stored(row.shipping_address),
            note=row.note,
            total=_money(row.total, row.currency),
            lines_total=_money(row.total - row.charges_total, row.currency),
            charges_total=_money(row.charges_total, row.currency),
            payment_terms=PaymentTerms(
                advance_percent=row.advance_percent,
                balance_due_on=BalanceDueOn(row.balance_due_on),
                net_days=row.net_days,
            ),
            amount_paid=_money(row.amount_paid, row.currency),
            balance_due=_money(row.total - row.amount_paid, row.currency),
            placed_at=row.created_at,
            confirmed_at=row.confirmed_at,
            paid_at=row.paid_at,
            shipped_at=row.shipped_at,
            delivered_at=row.delivered_at,
            cancelled_at=row.cancelled_at,
            cancel_reason=row.cancel_reason,
            version=row.version,
        )

    @strawberry.field(
        description="The lines, in the order the client gave them.", graphql_type=list[OrderLine]
    )
    def lines(self, info: Info) -> Soon[list[OrderLine]]:
        currency = self.row.currency

        def lines(found: list[rows.OrderLine]) -> list[OrderLine]:
            return [OrderLine.from_row(line, currency) for line in found]

        return orders.order_lines(info.context, self.row, lines)

    @strawberry.field(
        description=(
            "Charges beside the goods, in `currency`: a quote's, or set by staff while the "
            "order is placed (setOrderCharges); empty for a storefront order without them."
        ),
        graphql_type=list[Charge],
    )
    def charges(self, info: Info) -> Soon[list[Charge]]:
        currency = self.row.currency

        def charges(found: list[rows.OrderCharge]) -> list[Charge]:
            return [Charge.from_row(charge, currency) for charge in found]

        return orders.order_charges(info.context, self.row, charges)

    @strawberry.field(
        description="Payments recorded against the order, oldest first.",
        graphql_type=list[Payment],
    )
    def payments(self, info: Info) -> Soon[list[Payment]]:
        def payments(found: list[rows.Payment]) -> list[Payment]:
            return [Payment.from_row(payment) for payment in found]

        return orders.order_payments(info.context, self.row, payments)

    @strawberry.field(
        description="The client company that placed the order.",
        graphql_type=ClientCompany | None,
    )
    def client(self, info: Info) -> Soon[ClientCompany | None]:
        def client(found: ClientCompanyRow | None) -> ClientCompany | None:
            return None if found is None else ClientCompany.from_row(found)

        return orders.order_client(info.context, self.row, client)

    @permission_field(
        Permission.FINANCE_READ,
        description=(
            "Units of `creditCurrency` per unit of `currency`, as stored when the order was "
            "placed; the order's use of the client's credit is always computed with it."
        ),
    )
    def fx_rate(self) -> Decimal | None:
        return self.row.fx_rate

    @permission_field(
        Permission.FINANCE_READ,
        description="The client's credit currency when the order was placed.",
    )
    def credit_currency(self) -> str | None:
        return self.row.credit_currency

    @strawberry.field(
        description=(
            "What the client owes for the order, posted once it is confirmed. For the client "
            "whose order it is and staff with `finance:read`; null for others."
        )
    )
    async def receivable(self, info: Info) -> Receivable | None:
        assert self.row.id is not None
        return await receivable_of_order(info, self.row.id)

    @strawberry.field(description="The order's shipments, in the order they were booked.")
    async def shipments(self, info: Info) -> list[Shipment]:
        assert self.row.id is not None
        found = await shipments.order_shipments(info.context, self.row.id)
        return [Shipment.from_row(row) for row in found]


@strawberry.type(description="An order in a list, with the cursor to continue after it.")
class OrderEdge:
    cursor: str = strawberry.field(description="Pass as `after` to list the orders after it.")
    node: Order = strawberry.field(description="The order.")


@strawberry.type(
    description="A page of orders (Relay connection), in the order the list was asked for."
)
class OrderConnection:
    page: strawberry.Private[Page[rows.Order]]
    edges: list[OrderEdge] = strawberry.field(description="Orders of this page with cursors.")
    nodes: list[Order] = strawberry.field(description="Orders of this page, without cursors.")
    page_info: PageInfo = strawberry.field(description="How to fetch the next page.")

    @classmethod
    def from_page(cls, page: Page[rows.Order]) -> Self:
        edges, nodes, info = connection_parts(page, Order.from_row, OrderEdge)
        return cls(page=page, edges=edges, nodes=nodes, page_info=info)

    @strawberry.field(description="How many orders match, across all pages.")
    async def total_count(self) -> int:
        return await self.page.total_count()


@strawberry.type(description="A payment in a list, with the cursor to continue after it.")
class PaymentEdge:
    cursor: str = strawberry.field(description="Pass as `after` to list the payments after it.")
    node: Payment = strawberry.field(description="The payment.")


@strawberry.type(
    description="A page of payments (Relay connection), in the order the list was asked for."
)
class PaymentConnection:
    page: strawberry.Private[Page[rows.Payment]]
    edges: list[PaymentEdge] = strawberry.field(description="Payments of this page with cursors.")
    nodes: list[Payment] = strawberry.field(description="Payments of this page, without cursors.")
    page_info: PageInfo = strawberry.field(description="How to fetch the next page.")

    @classmethod
    def from_page(cls, page: Page[rows.Payment]) -> Self:
        edges, nodes, info = connection_parts(page, Payment.from_row, PaymentEdge)
        return cls(page=page, edges=edges, nodes=nodes, page_info=info)

    @strawberry.field(description="How many payments match, across all pages.")
    async def total_count(self) -> int:
        return await self.page.total_count()

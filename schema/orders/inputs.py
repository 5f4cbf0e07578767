"""Inputs of the order mutations, and their translation into what the resolvers take."""

from __future__ import annotations

from typing import cast

import strawberry

from resolvers.orders.placement import OrderRequest
from schema.catalog.enums import Incoterm


@strawberry.input(description="One line of a new order: a variant and how many units of it.")
class OrderLineInput:
    variant_id: strawberry.ID = strawberry.field(description="Global id of the variant.")
    quantity: int = strawberry.field(description="Units, from 1 to 10,000,000.")


@strawberry.input(description="Where the goods go.")
class ShippingAddressInput:
    name: str = strawberry.field(description="Recipient: a company or a person.")
    line1: str = strawberry.field(description="Street and number.")
    line2: str = strawberry.field(default="", description="Further address detail.")
    city: str = strawberry.field(description="City or town.")
    region: str = strawberry.field(default="", description="State, province or region.")
    postal_code: str = strawberry.field(default="", description="Postal code.")
    country: str = strawberry.field(description="ISO 3166-1 alpha-2 country code, e.g. DE.")

    def to_stored(self) -> dict[str, str]:
        return {
            "name": self.name,
            "line1": self.line1,
            "line2": self.line2,
            "city": self.city,
            "region": self.region,
            "postal_code": self.postal_code,
            "country": self.country,
        }


@strawberry.input(
    description=(
        "A new order. Prices are never sent: the server prices every line from the variant's "
        "quantity tiers in `currency`."
    )
)
class PlaceOrderInput:
    client_company_id: strawberry.ID | None = strawberry.field(
        default=None,
        description=(
            "The client the order is for: required when staff order on a client's behalf, "
            "refused (NOT_ALLOWED) from client users, who always order for their own company."
        ),
    )
    currency: str = strawberry.field(description="ISO 4217 currency to price and invoice in.")
    incoterm: Incoterm = strawberry.field(description="The Incoterms 2020 rule of the sale.")
    named_place: str = strawberry.field(
        description="The place the incoterm names, e.g. 'Nhava Sheva' for FOB; up to 200 chars."
    )
    shipping_address: ShippingAddressInput = strawberry.field(description="Where the goods go.")
    lines: list[OrderLineInput] = strawberry.field(
        description="1 to 100 lines, each variant at most once."
    )
    note: str = strawberry.field(default="", description="A note to sales, up to 2,000 chars.")

    def to_request(self, idempotency_key: str) -> OrderRequest:
        return OrderRequest(
            client_company_id=None
            if self.client_company_id is None
            else str(self.client_company_id),
            currency=self.currency,
            incoterm=cast(str, self.incoterm.value),
            named_place=self.named_place,
            shipping_address=self.shipping_address.to_stored(),
            lines=[(str(line.variant_id), line.quantity) for line in self.lines],
            idempotency_key=idempotency_key,
            note=self.note,
        )

"""`Variant` and its prices: the SKU a buyer orders, priced by quantity breaks per currency."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Self

import strawberry

from auth.policy import Permission
from core.global_id import encode_global_id
from models import catalog as rows
from resolvers.catalog import costs, pricing, related
from resolvers.look_ahead import Soon
from schema.info import Info
from schema.money import Money
from schema.node import Node
from schema.permissions import permission_field

if TYPE_CHECKING:
    from schema.catalog.product import Product


@strawberry.type(description="One option that distinguishes a variant, e.g. colour = navy.")
class OptionValue:
    name: str = strawberry.field(description="Option name, e.g. 'colour' or 'width'.")
    value: str = strawberry.field(description="This variant's value of the option.")


@strawberry.type(description="Unit price from a minimum quantity upwards, in one currency.")
class PriceTier:
    currency: str = strawberry.field(description="ISO 4217 currency code, e.g. USD.")
    min_quantity: int = strawberry.field(
        description="Smallest order quantity, in units, at which this price applies."
    )
    unit_price: Decimal = strawberry.field(
        description="Price of one unit, as a decimal string (never a float)."
    )

    @classmethod
    def from_row(cls, row: rows.PriceTier) -> Self:
        return cls(currency=row.currency, min_quantity=row.min_quantity, unit_price=row.unit_price)

    @classmethod
    def list_from_rows(cls, found: list[rows.PriceTier]) -> list[Self]:
        return [cls.from_row(row) for row in found]


@strawberry.type(description="The price of a quantity of a variant, from the tier that applies.")
class VariantPrice:
    currency: str = strawberry.field(description="ISO 4217 currency code.")
    quantity: int = strawberry.field(description="The quantity priced, in units.")
    min_quantity: int = strawberry.field(description="Minimum quantity of the tier applied.")
    unit_price: Decimal = strawberry.field(description="Price of one unit at this quantity.")
    total: Decimal = strawberry.field(
        description="unitPrice times quantity, rounded to the currency's minor units exactly as an "
        "order line charges it; before tax and freight."
    )

    @classmethod
    def from_quantity_price(cls, price: pricing.QuantityPrice | None) -> Self | None:
        if price is None:
            return None
        return cls(
            currency=price.tier.currency,
            quantity=price.quantity,
            min_quantity=price.tier.min_quantity,
            unit_price=price.tier.unit_price,
            total=price.total,
        )


def _option_values(root: Any) -> list[OptionValue]:
    """A variant's options, built when asked for rather than for every variant listed."""
    return [
        OptionValue(name=name, value=str(value)) for name, value in root.row.option_values.items()
    ]


@strawberry.type(description="A sellable SKU of a product: one colour, width or pack size.")
class Variant(Node):
    row: strawberry.Private[rows.Variant]
    sku: str = strawberry.field(description="Stock keeping unit, unique across the catalog.")
    name: str = strawberry.field(description="Short name of the variant, e.g. 'Navy, 150 cm'.")

    option_values: list[OptionValue] = strawberry.field(
        description="The options that distinguish this variant from its siblings.",
        resolver=_option_values,
    )

    units_per_carton: int = strawberry.field(description="Units packed in one export carton.")
    carton_weight_kg: Decimal | None = strawberry.field(
        description="Gross weight of one carton in kilograms; null when unknown."
    )
    carton_volume_m3: Decimal | None = strawberry.field(
        description="Volume of one carton in cubic metres; null when unknown."
    )
    available: int = strawberry.field(
        description="Units that can be ordered now: stock on hand minus reserved stock."
    )
    version: int = strawberry.field(
        description=(
            "Moves on with every change to the variant or its prices; pass it as "
            "`expectedVersion` to edit."
        )
    )

    @classmethod
    def from_row(cls, row: rows.Variant) -> Self:
        assert row.id is not None
        return cls(
            id=strawberry.ID(encode_global_id("Variant", row.id)),
            row=row,
            sku=row.sku,
            name=row.name,
            units_per_carton=row.units_per_carton,
            carton_weight_kg=row.carton_weight_kg,
            carton_volume_m3=row.carton_volume_m3,
            available=row.stock_on_hand - row.stock_reserved,
            version=row.version,
        )

    @classmethod
    def list_from_rows(cls, found: list[rows.Variant]) -> list[Self]:
        return [cls.from_row(row) for row in found]

    @strawberry.field(
        description="The product this variant belongs to.",
        graphql_type=Annotated["Product", strawberry.lazy("schema.catalog.product")] | None,
    )
    def product(self, info: Info) -> Soon[Product | None]:
        from schema.catalog.product import Product

        def product(row: rows.Product | None) -> Product | None:
            return None if row is None else Product.from_row(row)

        return related.product_of(info.context, self.row, product)

    @strawberry.field(
        description="Quantity-break prices, cheapest tier last within a currency.",
        graphql_type=list[PriceTier],
    )
    def price_tiers(
        self,
        info: Info,
        currency: Annotated[
            str | None,
            strawberry.argument(description="Only tiers in this ISO 4217 currency; all if null."),
        ] = None,
    ) -> Soon[list[PriceTier]]:
        return pricing.price_tiers(info.context, self.row, currency, PriceTier.list_from_rows)

    @strawberry.field(
        description=(
            "The unit price and total for `quantity` units in `currency`, from the tier with "
            "the highest minimum quantity not above it. Null when the variant has no price in "
            "that currency or the quantity is below every tier."
        ),
        graphql_type=VariantPrice | None,
    )
    def price(
        self,
        info: Info,
        currency: Annotated[str, strawberry.argument(description="ISO 4217 code, e.g. EUR.")],
        quantity: Annotated[
            int, strawberry.argument(description="Units to price, at least 1.")
        ] = 1,
    ) -> Soon[VariantPrice | None]:
        return pricing.price_for_quantity(
            info.context, self.row, currency, quantity, VariantPrice.from_quantity_price
        )

    @permission_field(
        Permission.CATALOG_READ_COST,
        description="What one unit costs the business, in the currency it is booked in.",
    )
    def cost_price(self) -> Money | None:
        cost = costs.cost_price(self.row)
        return None if cost is None else Money(amount=cost.amount, currency=cost.currency)

    @permission_field(
        Permission.CATALOG_READ_COST,
        description=(
            "Unit price at the lowest quantity tier in the cost price's currency, minus the "
            "cost price. Null without a cost price or a tier in that currency."
        ),
        graphql_type=Money | None,
    )
    def margin(self, info: Info) -> Soon[Money | None]:
        def money(found: costs.Amount | None) -> Money | None:
            return None if found is None else Money(amount=found.amount, currency=found.currency)

        return costs.margin(info.context, self.row, money)

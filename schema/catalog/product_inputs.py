"""Inputs of the product, variant and price mutations, and their translation for the rules."""

from __future__ import annotations

from decimal import Decimal
from typing import cast

import strawberry

from models import catalog as rows
from resolvers.catalog.product_rules import ProductDetails, SpecValue
from resolvers.catalog.variant_rules import CostPrice, Tier, VariantDetails
from schema.catalog.enums import Incoterm
from schema.decimal_input import lands_in


@strawberry.input(
    description=(
        "One spec of a product: its attribute's key and exactly one value, of the attribute's "
        "kind (an ENUM's value as a one-item `values` list, as `ProductSpec` shows it)."
    )
)
class SpecInput:
    key: str = strawberry.field(description="Attribute key, e.g. `gsm`.")
    text: str | None = strawberry.field(default=None, description="A TEXT value.")
    number: float | None = strawberry.field(default=None, description="A NUMBER value.")
    boolean: bool | None = strawberry.field(default=None, description="A BOOLEAN value.")
    values: list[str] | None = strawberry.field(
        default=None, description="An ENUM value (one item) or MULTI_ENUM values."
    )

    def to_value(self) -> SpecValue:
        return SpecValue(self.key, self.text, self.number, self.boolean, self.values)


@strawberry.input(description="A new product; it starts as a draft the storefront cannot see.")
class ProductInput:
    name: str = strawberry.field(description="Display name, up to 200 characters.")
    slug: str = strawberry.field(
        description="Unique URL name: lowercase letters, digits, single hyphens; up to 120."
    )
    category_id: strawberry.ID = strawberry.field(description="Global id of its category.")
    product_type_id: strawberry.ID = strawberry.field(
        description="Global id of its product type, whose attributes `specs` must fit."
    )
    hs_code: str = strawberry.field(description="HS code: 6, 8 or 10 digits (dots allowed).")
    country_of_origin: str = strawberry.field(description="ISO 3166-1 alpha-2 country code.")
    description: str = strawberry.field(default="", description="Up to 20,000 characters.")
    specs: list[SpecInput] = strawberry.field(
        default_factory=list, description="Its specs; every required attribute needs one."
    )
    moq: int = strawberry.field(default=1, description="Minimum order quantity in units, 1+.")
    lead_time_days: int = strawberry.field(default=0, description="Days to ready, 0 to 3650.")
    incoterms: list[Incoterm] = strawberry.field(
        default_factory=list, description="The Incoterms rules offered, each once."
    )

    def to_details(self) -> ProductDetails:
        return _product_details(self)


@strawberry.input(description="Changes to a product; null fields stay as they are.")
class ProductPatch:
    name: str | None = strawberry.field(default=None, description="New display name.")
    slug: str | None = strawberry.field(default=None, description="New unique URL name.")
    description: str | None = strawberry.field(default=None, description="New description.")
    category_id: strawberry.ID | None = strawberry.field(default=None, description="New category.")
    product_type_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="New product type; the specs (given, or else the current ones) must fit it.",
    )
    specs: list[SpecInput] | None = strawberry.field(
        default=None, description="All of the product's specs, replacing the current ones."
    )
    hs_code: str | None = strawberry.field(default=None, description="New HS code.")
    country_of_origin: str | None = strawberry.field(default=None, description="New country.")
    moq: int | None = strawberry.field(
        default=None,
        description="New MOQ; refused (TIER_ABOVE_MOQ) below the start of any price ladder.",
    )
    lead_time_days: int | None = strawberry.field(default=None, description="New lead time.")
    incoterms: list[Incoterm] | None = strawberry.field(
        default=None, description="All the Incoterms rules offered, replacing the current ones."
    )

    def to_details(self) -> ProductDetails:
        return _product_details(self)


@strawberry.input(description="One option that distinguishes a variant, e.g. colour = navy.")
class OptionValueInput:
    name: str = strawberry.field(description="Option name, up to 64 characters.")
    value: str = strawberry.field(description="This variant's value, up to 120 characters.")


@strawberry.input(description="What one unit costs the business, in the currency it is booked in.")
class CostPriceInput:
    amount: Decimal = strawberry.field(
        description="0 or more, at most 4 decimals.", metadata=lands_in(rows.Variant.cost_price)
    )
    currency: str = strawberry.field(description="ISO 4217 currency code.")


@strawberry.input(description="A new variant; it has no prices and no stock yet.")
class VariantInput:
    sku: str = strawberry.field(
        description="Stock keeping unit, up to 64 characters, unique in any letter case."
    )
    name: str = strawberry.field(default="", description="Short name, up to 200 characters.")
    option_values: list[OptionValueInput] = strawberry.field(
        default_factory=list, description="Its options, each name once (up to 20)."
    )
    units_per_carton: int = strawberry.field(default=1, description="Units per export carton.")
    carton_weight_kg: Decimal | None = strawberry.field(
        default=None,
        description="Gross carton weight in kg, above 0, at most 3 decimals.",
        metadata=lands_in(rows.Variant.carton_weight_kg),
    )
    carton_volume_m3: Decimal | None = strawberry.field(
        default=None,
        description="Carton volume in m³, above 0, at most 4 decimals.",
        metadata=lands_in(rows.Variant.carton_volume_m3),
    )
    cost: CostPriceInput | None = strawberry.field(
        default=None, description="Its cost price; readable with catalog:read_cost only."
    )

    def to_details(self) -> VariantDetails:
        return _variant_details(self)


@strawberry.input(description="Changes to a variant; null fields stay as they are.")
class VariantPatch:
    sku: str | None = strawberry.field(default=None, description="New SKU.")
    name: str | None = strawberry.field(default=None, description="New short name.")
    option_values: list[OptionValueInput] | None = strawberry.field(
        default=None, description="All its options, replacing the current ones."
    )
    units_per_carton: int | None = strawberry.field(default=None, description="New pack.")
    carton_weight_kg: Decimal | None = strawberry.field(
        default=None,
        description="New gross carton weight in kg.",
        metadata=lands_in(rows.Variant.carton_weight_kg),
    )
    carton_volume_m3: Decimal | None = strawberry.field(
        default=None,
        description="New carton volume in m³.",
        metadata=lands_in(rows.Variant.carton_volume_m3),
    )
    cost: CostPriceInput | None = strawberry.field(default=None, description="New cost price.")

    def to_details(self) -> VariantDetails:
        return _variant_details(self)


def _product_details(given: ProductInput | ProductPatch) -> ProductDetails:
    """The same translation for a new product and a patch, whose fields share their names."""
    return ProductDetails(
        name=given.name,
        slug=given.slug,
        description=given.description,
        category_id=given.category_id,
        product_type_id=given.product_type_id,
        specs=None if given.specs is None else [spec.to_value() for spec in given.specs],
        hs_code=given.hs_code,
        country_of_origin=given.country_of_origin,
        moq=given.moq,
        lead_time_days=given.lead_time_days,
        incoterms=None
        if given.incoterms is None
        else [cast(str, t.value) for t in given.incoterms],
    )


def _variant_details(given: VariantInput | VariantPatch) -> VariantDetails:
    options = given.option_values
    cost = given.cost
    return VariantDetails(
        sku=given.sku,
        name=given.name,
        option_values=None if options is None else [(o.name, o.value) for o in options],
        units_per_carton=given.units_per_carton,
        carton_weight_kg=given.carton_weight_kg,
        carton_volume_m3=given.carton_volume_m3,
        cost=None if cost is None else CostPrice(cost.amount, cost.currency),
    )


@strawberry.input(description="One step of a price ladder: a unit price from a quantity up.")
class PriceTierInput:
    min_quantity: int = strawberry.field(description="Smallest quantity, in units, at this price.")
    unit_price: Decimal = strawberry.field(
        description="Price of one unit, above 0, at most 4 decimals.",
        metadata=lands_in(rows.PriceTier.unit_price),
    )

    def to_tier(self) -> Tier:
        return Tier(self.min_quantity, self.unit_price)

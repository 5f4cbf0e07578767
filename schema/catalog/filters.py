"""The product filter as partners write it, translated for `resolvers.catalog.product_filters`."""

from __future__ import annotations

from decimal import Decimal
from typing import TypeVar

import strawberry

from models.catalog.discovery import product_prices
from resolvers.catalog import product_filters, spec_filters
from schema.decimal_input import lands_in


@strawberry.input(
    one_of=True,
    description=(
        "A spec value to match exactly: set `text` (TEXT, ENUM, MULTI_ENUM), `number` "
        "(NUMBER, in the attribute's unit) or `boolean` (BOOLEAN), exactly one of them."
    ),
)
class SpecValueInput:
    text: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="For TEXT (the exact text), ENUM (that value), MULTI_ENUM (has that value).",
    )
    number: float | None = strawberry.field(
        default=strawberry.UNSET,
        description="For NUMBER attributes, in the attribute's unit: 20 for a 20 mm bore.",
    )
    boolean: bool | None = strawberry.field(
        default=strawberry.UNSET, description="For BOOLEAN attributes: true or false."
    )


@strawberry.input(
    description="Numbers from `min` to `max`, both inclusive; either may be left out."
)
class NumberRange:
    min: float | None = strawberry.field(default=None, description="Smallest value matched.")
    max: float | None = strawberry.field(default=None, description="Largest value matched.")


@strawberry.input(
    description=(
        "A condition on one spec, with exactly one operator. It applies to every product type "
        "that defines `attribute` as filterable (or to `productType` when the filter names "
        "one), and its operator must fit the attribute's kind in each of them. An unknown or "
        "unfilterable attribute, a second operator or an unfitting one is a BAD_USER_INPUT "
        "error whose `argument` is `filter.specs.<attribute>`."
    )
)
class SpecFilter:
    attribute: str = strawberry.field(
        description="Attribute key, as in `AttributeDefinition.key`: `gsm`, `bore_mm`."
    )
    equals: SpecValueInput | None = strawberry.field(
        default=None, description="The spec equals this value (MULTI_ENUM: includes it)."
    )
    one_of: list[str] | None = strawberry.field(
        default=None,
        description=(
            "TEXT, ENUM: the spec is one of these values; MULTI_ENUM: it includes any of them. "
            "1 to 100 values."
        ),
    )
    range: NumberRange | None = strawberry.field(
        default=None, description="NUMBER: the spec lies in this range, in the attribute's unit."
    )


@strawberry.input(
    description=(
        "Products whose from-price in `currency` (the unit price of the lowest quantity "
        "break, cheapest over the variants) lies between `min` and `max`, inclusive. Products "
        "without a price in that currency never match."
    )
)
class PriceRangeFilter:
    currency: str = strawberry.field(description="ISO 4217 currency code, e.g. USD.")
    min: Decimal | None = strawberry.field(
        default=None,
        description="Lowest from-price matched.",
        metadata=lands_in(product_prices.c.from_price),
    )
    max: Decimal | None = strawberry.field(
        default=None,
        description="Highest from-price matched.",
        metadata=lands_in(product_prices.c.from_price),
    )


@strawberry.input(description="Conditions a product must meet to be listed; all must hold.")
class ProductFilter:
    category: strawberry.ID | None = strawberry.field(
        default=None,
        description="Id of a Category: products in it or any of its sub-categories.",
    )
    category_slug: str | None = strawberry.field(
        default=None,
        description="Slug of a category: products in it or any of its sub-categories.",
    )
    in_stock: bool | None = strawberry.field(
        default=None,
        description="True: only products with a variant available now; false: only without.",
    )
    product_type: strawberry.ID | None = strawberry.field(
        default=None,
        description="Id of a ProductType: only its products; `specs` then use its attributes.",
    )
    product_type_slug: str | None = strawberry.field(
        default=None,
        description="Slug of a product type: only its products; `specs` use its attributes.",
    )
    search: str | None = strawberry.field(
        default=None,
        description=(
            "Words that must all appear in the name, description or a SKU, ignoring case: "
            "`twill 220` or `BRG-0001`. The last word may be unfinished (`cotton tw` finds "
            "cotton twill), as a buyer types; the others are whole words. Letters and digits "
            "count, anything else separates words; at most 10 words, 200 characters."
        ),
    )
    country_of_origin: list[str] | None = strawberry.field(
        default=None,
        description="ISO 3166-1 alpha-2 codes: products made in any of these countries.",
    )
    price: PriceRangeFilter | None = strawberry.field(
        default=None, description="Only products with a from-price in this range."
    )
    specs: list[SpecFilter] | None = strawberry.field(
        default=None, description="Conditions on specs, all of which must hold (at most 20)."
    )

    def to_resolver(self) -> product_filters.ProductFilter:
        return product_filters.ProductFilter(
            category_id=self.category,
            category_slug=self.category_slug,
            in_stock=self.in_stock,
            product_type_id=self.product_type,
            product_type_slug=self.product_type_slug,
            search=self.search,
            country_of_origin=self.country_of_origin,
            price=None
            if self.price is None
            else product_filters.PriceRange(self.price.currency, self.price.min, self.price.max),
            specs=[_spec(spec) for spec in self.specs or []],
        )


def _spec(spec: SpecFilter) -> spec_filters.SpecFilter:
    equals = None
    if spec.equals is not None:
        equals = spec_filters.SpecValue(
            text=_given(spec.equals.text),
            number=_given(spec.equals.number),
            boolean=_given(spec.equals.boolean),
        )
    given_range = spec.range
    return spec_filters.SpecFilter(
        attribute=spec.attribute,
        equals=equals,
        one_of=spec.one_of,
        range=None
        if given_range is None
        else spec_filters.NumberRange(given_range.min, given_range.max),
    )


T = TypeVar("T")


def _given(value: T | None) -> T | None:
    """A `@oneOf` field left out is UNSET; the resolvers take None."""
    return None if value is strawberry.UNSET else value

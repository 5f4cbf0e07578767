"""`ProductFacets`: counts beside each filter value, for a storefront's sidebar."""

from __future__ import annotations

import asyncio
from typing import Self

import strawberry

from resolvers.catalog import facets
from resolvers.catalog.product_filters import ProductFilter
from schema.catalog.enums import AttributeKind
from schema.info import Info


@strawberry.type(description="A value and how many matching products have it.")
class FacetValue:
    value: str = strawberry.field(
        description="The value as filters take it: an enum value, a text, `true` or `false`."
    )
    count: int = strawberry.field(description="Matching products with this value.")

    @classmethod
    def from_result(cls, result: facets.ValueCount) -> Self:
        return cls(value=result.value, count=result.count)


@strawberry.type(description="Matching products whose value lies in [from, to).")
class NumberBucket:
    from_: float = strawberry.field(
        name="from", description="Lower bound, inclusive, in the attribute's unit."
    )
    to: float = strawberry.field(
        description="Upper bound, exclusive, except for the last bucket, which includes it."
    )
    count: int = strawberry.field(description="Matching products with a value in the bucket.")


@strawberry.type(description="The spread of a NUMBER attribute over the matching products.")
class NumberFacet:
    min: float = strawberry.field(description="Smallest value, in the attribute's unit.")
    max: float = strawberry.field(description="Largest value, in the attribute's unit.")
    buckets: list[NumberBucket] = strawberry.field(
        description=(
            "Up to 8 equal-width buckets with round boundaries (1, 2 or 5 times a power of "
            "ten) from min to max, empty ones included; one bucket when min equals max."
        )
    )


@strawberry.type(
    description=(
        "One filterable attribute of the matching products, counted under the filter without "
        "its own `specs` conditions, so it shows the alternatives to what is picked."
    )
)
class AttributeFacet:
    key: str = strawberry.field(description="Attribute key, for `SpecFilter.attribute`.")
    label: str = strawberry.field(description="Attribute label, e.g. 'Fabric weight'.")
    kind: AttributeKind = strawberry.field(description="The kind of value the attribute holds.")
    unit: str | None = strawberry.field(description="Unit of a NUMBER attribute, e.g. 'mm'.")
    values: list[FacetValue] = strawberry.field(
        description=(
            "For TEXT, ENUM, MULTI_ENUM and BOOLEAN: the values found with their counts (ENUM "
            "in the type's order, TEXT most frequent first, at most 50); empty for NUMBER."
        )
    )
    numbers: NumberFacet | None = strawberry.field(
        description="For NUMBER attributes: minimum, maximum and bucket counts; null otherwise."
    )

    @classmethod
    def from_result(cls, result: facets.AttributeFacet) -> Self:
        numbers = result.numbers
        return cls(
            key=result.key,
            label=result.label,
            kind=AttributeKind(result.kind.value),
            unit=result.unit,
            values=[FacetValue.from_result(value) for value in result.values],
            numbers=None
            if numbers is None
            else NumberFacet(
                min=numbers.min,
                max=numbers.max,
                buckets=[
                    NumberBucket(from_=bucket.lower, to=bucket.upper, count=bucket.count)
                    for bucket in numbers.buckets
                ],
            ),
        )


@strawberry.type(description="Counts for a storefront's filter sidebar, for one product filter.")
class ProductFacets:
    product_filter: strawberry.Private[ProductFilter]
    # Which of the two fields the query selects: both are counted in one statement.
    wants_attributes: strawberry.Private[bool] = True
    wants_countries: strawberry.Private[bool] = True
    counting: strawberry.Private[asyncio.Future[facets.Sidebar] | None] = None

    async def _sidebar(self, info: Info) -> facets.Sidebar:
        """The counts, computed by whichever field resolves first and shared with the other."""
        if self.counting is None:
            self.counting = asyncio.ensure_future(
                facets.facet_sidebar(
                    info.context,
                    self.product_filter,
                    attributes=self.wants_attributes,
                    countries=self.wants_countries,
                )
            )
        return await self.counting

    @strawberry.field(
        description=(
            "Each filterable attribute found on the matching products, in the product type's "
            "order. A key shared by several types is one facet when they agree on its kind "
            "and unit, and is left out otherwise until the filter names a productType."
        )
    )
    async def attributes(self, info: Info) -> list[AttributeFacet]:
        found = (await self._sidebar(info)).attributes
        return [AttributeFacet.from_result(facet) for facet in found]

    @strawberry.field(
        description=(
            "Matching products per country of origin, most first, counted under the filter "
            "without its `countryOfOrigin` condition."
        )
    )
    async def countries_of_origin(self, info: Info) -> list[FacetValue]:
        found = (await self._sidebar(info)).countries
        return [FacetValue.from_result(value) for value in found]

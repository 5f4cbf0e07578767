"""`Product`, its specs, and the paginated `ProductConnection` of the storefront listing."""

from __future__ import annotations

from typing import Any, Self

import strawberry

from core.global_id import encode_global_id
from models import catalog as rows
from resolvers.catalog import related
from resolvers.look_ahead import Soon
from resolvers.pagination import Page
from schema.catalog.category import Category
from schema.catalog.enums import AttributeKind, Incoterm, ProductStatus
from schema.catalog.product_type import ProductType
from schema.catalog.variant import Variant
from schema.info import Info
from schema.node import Node, PageInfo, connection_parts


@strawberry.type(description="One spec of a product, typed by its attribute's kind.")
class ProductSpec:
    key: str = strawberry.field(description="Attribute key, e.g. `gsm`.")
    label: str = strawberry.field(description="Attribute label, e.g. 'Fabric weight'.")
    kind: AttributeKind = strawberry.field(description="Which of the value fields is set.")
    unit: str | None = strawberry.field(description="Unit of a NUMBER value, e.g. 'g/m²'.")
    text: str | None = strawberry.field(description="The value of a TEXT attribute.")
    number: float | None = strawberry.field(description="The value of a NUMBER attribute.")
    boolean: bool | None = strawberry.field(description="The value of a BOOLEAN attribute.")
    values: list[str] | None = strawberry.field(
        description="The value(s) of an ENUM (one item) or MULTI_ENUM attribute."
    )
    display: str = strawberry.field(
        description="The value formatted for people, with its unit: '220 g/m²', 'Yes'."
    )

    @classmethod
    def from_value(cls, attribute: rows.AttributeDefinition, value: Any) -> Self:
        # The stored kind is the model's StrEnum or its plain value: both compare and hash
        # as the value, so plain lookups replace an enum conversion per spec of every product.
        kind = attribute.kind
        spec = cls(
            key=attribute.key,
            label=attribute.label,
            kind=_KIND_OF[kind],
            unit=attribute.unit,
            text=None,
            number=None,
            boolean=None,
            values=None,
            display=str(value),
        )
        if kind == rows.AttributeKind.TEXT:
            spec.text = value
        elif kind == rows.AttributeKind.NUMBER:
            spec.number = value
            spec.display = f"{value:g} {attribute.unit}" if attribute.unit else f"{value:g}"
        elif kind == rows.AttributeKind.BOOLEAN:
            spec.boolean = value
            spec.display = "Yes" if value else "No"
        else:
            spec.values = [value] if kind == rows.AttributeKind.ENUM else list(value)
            spec.display = ", ".join(spec.values)
        return spec


_KIND_OF = {kind.value: AttributeKind(kind.value) for kind in rows.AttributeKind}
_INCOTERM_OF: dict[Any, Incoterm] = {term.value: term for term in Incoterm}
_STATUS_OF = {status.value: ProductStatus(status.value) for status in rows.ProductStatus}


def _incoterms(root: Any) -> list[Incoterm]:
    """A product's incoterms, built when asked for rather than for every product listed."""
    return [_INCOTERM_OF[term] for term in root.row.incoterms]


@strawberry.type(description="A product of the catalog, offered in one or more variants.")
class Product(Node):
    row: strawberry.Private[rows.Product]
    name: str = strawberry.field(description="Display name.")
    slug: str = strawberry.field(description="Unique, URL-safe name; use it in storefront URLs.")
    description: str = strawberry.field(description="Longer description; may be empty.")
    hs_code: str = strawberry.field(
        description="Harmonized System code for customs: 6, 8 or 10 digits, no dots."
    )
    country_of_origin: str = strawberry.field(
        description="ISO 3166-1 alpha-2 code of the country where the goods are made."
    )
    moq: int = strawberry.field(description="Minimum order quantity, in units, per order line.")
    lead_time_days: int = strawberry.field(
        description="Days from order confirmation until the goods are ready to ship."
    )

    incoterms: list[Incoterm] = strawberry.field(
        description="Incoterms the seller offers.", resolver=_incoterms
    )

    status: ProductStatus = strawberry.field(
        description="ACTIVE wherever the storefront reads; staff's changes show the others."
    )
    version: int = strawberry.field(
        description="Moves on with every change; pass it as `expectedVersion` to edit."
    )

    @classmethod
    def from_row(cls, row: rows.Product) -> Self:
        assert row.id is not None
        return cls(
            id=strawberry.ID(encode_global_id("Product", row.id)),
            row=row,
            name=row.name,
            slug=row.slug,
            description=row.description,
            hs_code=row.hs_code,
            country_of_origin=row.country_of_origin,
            moq=row.moq,
            lead_time_days=row.lead_time_days,
            status=_STATUS_OF[row.status],
            version=row.version,
        )

    @strawberry.field(description="The category this product is listed in.", graphql_type=Category)
    def category(self, info: Info) -> Soon[Category]:
        return related.category_of(info.context, self.row, Category.from_row)

    @strawberry.field(
        description="The product type whose attributes define `specs`.", graphql_type=ProductType
    )
    def product_type(self, info: Info) -> Soon[ProductType]:
        return related.product_type_of(info.context, self.row, ProductType.from_row)

    @strawberry.field(
        description="Specs set on this product, in the type's attribute order.",
        graphql_type=list[ProductSpec],
    )
    def specs(self, info: Info) -> Soon[list[ProductSpec]]:
        values = self.row.specs

        def specs(attributes: list[rows.AttributeDefinition]) -> list[ProductSpec]:
            return [
                ProductSpec.from_value(attribute, values[attribute.key])
                for attribute in attributes
                if attribute.key in values
            ]

        return related.specs_attributes_of(info.context, self.row, specs)

    @strawberry.field(
        description="Sellable variants of this product, by SKU.", graphql_type=list[Variant]
    )
    def variants(self, info: Info) -> Soon[list[Variant]]:
        return related.variants_of(info.context, self.row, Variant.list_from_rows)


@strawberry.type(description="A product in a list, with the cursor to continue after it.")
class ProductEdge:
    cursor: str = strawberry.field(description="Pass as `after` to list the products after it.")
    node: Product = strawberry.field(description="The product.")


@strawberry.type(description="A page of products (Relay connection), with keyset cursors.")
class ProductConnection:
    page: strawberry.Private[Page[rows.Product]]
    edges: list[ProductEdge] = strawberry.field(description="Products of this page with cursors.")
    nodes: list[Product] = strawberry.field(description="Products of this page, without cursors.")
    page_info: PageInfo = strawberry.field(description="How to fetch the next page.")

    @classmethod
    def from_page(cls, page: Page[rows.Product]) -> Self:
        edges, nodes, info = connection_parts(page, Product.from_row, ProductEdge)
        return cls(page=page, edges=edges, nodes=nodes, page_info=info)

    @strawberry.field(description="How many products match the filter, across all pages.")
    async def total_count(self) -> int:
        return await self.page.total_count()

"""`ProductType` and `AttributeDefinition`: the spec schema that products of a type follow."""

from __future__ import annotations

from typing import Self

import strawberry

from core.global_id import encode_global_id
from models import catalog as rows
from resolvers.catalog import related
from resolvers.look_ahead import Soon
from schema.catalog.enums import AttributeKind
from schema.info import Info
from schema.node import Node


@strawberry.type(description="One attribute of a product type's specs, such as `gsm` for fabrics.")
class AttributeDefinition:
    key: str = strawberry.field(description="Stable key used in specs and filters, e.g. `gsm`.")
    label: str = strawberry.field(description="Human label, e.g. 'Fabric weight'.")
    kind: AttributeKind = strawberry.field(description="The kind of value this attribute holds.")
    unit: str | None = strawberry.field(
        description="Unit of a NUMBER attribute, e.g. 'g/m²' or 'mm'; null for other kinds."
    )
    required: bool = strawberry.field(description="True when every product must set it.")
    filterable: bool = strawberry.field(
        description="True when the storefront may filter and facet on it."
    )
    allowed_values: list[str] = strawberry.field(
        description="The values an ENUM or MULTI_ENUM attribute accepts; empty otherwise."
    )

    @classmethod
    def from_row(cls, row: rows.AttributeDefinition) -> Self:
        return cls(
            key=row.key,
            label=row.label,
            kind=AttributeKind(row.kind),
            unit=row.unit,
            required=row.required,
            filterable=row.filterable,
            allowed_values=list(row.allowed_values),
        )


@strawberry.type(
    description=(
        "A kind of product (fabric, spice, bearing...) defining which specs its products carry."
    )
)
class ProductType(Node):
    row: strawberry.Private[rows.ProductType]
    name: str = strawberry.field(description="Display name.")
    slug: str = strawberry.field(description="Unique, URL-safe name.")
    description: str = strawberry.field(description="What products of this type are.")
    version: int = strawberry.field(
        description=(
            "Goes up by one with every change, its attributes' included; edits name it as "
            "`expectedVersion`."
        )
    )

    @classmethod
    def from_row(cls, row: rows.ProductType) -> Self:
        assert row.id is not None
        return cls(
            id=strawberry.ID(encode_global_id("ProductType", row.id)),
            row=row,
            name=row.name,
            slug=row.slug,
            description=row.description,
            version=row.version,
        )

    @strawberry.field(
        description="The attributes of this type's specs, in display order.",
        graphql_type=list[AttributeDefinition],
    )
    def attributes(self, info: Info) -> Soon[list[AttributeDefinition]]:
        def attributes(found: list[rows.AttributeDefinition]) -> list[AttributeDefinition]:
            return [AttributeDefinition.from_row(row) for row in found]

        return related.attributes_of(info.context, self.row, attributes)

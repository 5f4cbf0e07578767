"""`Category`: a node of the catalog's category tree."""

from __future__ import annotations

from typing import Optional, Self

import strawberry

from core.global_id import encode_global_id
from models import catalog as rows
from resolvers.catalog import related
from resolvers.look_ahead import Soon
from schema.info import Info
from schema.node import Node


@strawberry.type(description="A category of the catalog tree, such as Textiles > Woven fabrics.")
class Category(Node):
    row: strawberry.Private[rows.Category]
    name: str = strawberry.field(description="Display name.")
    slug: str = strawberry.field(description="Unique, URL-safe name; use it in storefront URLs.")
    description: str = strawberry.field(description="Longer description; may be empty.")
    version: int = strawberry.field(
        description="Goes up by one with every change; edits name it as `expectedVersion`."
    )

    @classmethod
    def from_row(cls, row: rows.Category) -> Self:
        assert row.id is not None
        return cls(
            id=strawberry.ID(encode_global_id("Category", row.id)),
            row=row,
            name=row.name,
            slug=row.slug,
            description=row.description,
            version=row.version,
        )

    @strawberry.field(
        description="The parent category; null for a top-level category.",
        graphql_type=Optional["Category"],
    )
    def parent(self, info: Info) -> Soon[Category | None]:
        def parent(row: rows.Category | None) -> Category | None:
            return None if row is None else Category.from_row(row)

        return related.parent_of(info.context, self.row, parent)

    @strawberry.field(
        description="Direct sub-categories, in display order.", graphql_type=list["Category"]
    )
    def children(self, info: Info) -> Soon[list[Category]]:
        def children(found: list[rows.Category]) -> list[Category]:
            return [Category.from_row(child) for child in found]

        return related.children_of(info.context, self.row, children)

"""`Category`: a node of the catalog's category tree."""

from __future__ import annotations

from typing import Self

import strawberry

from core.global_id import encode_global_id
from models import catalog as rows
from resolvers.catalog import related
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

    @strawberry.field(description="The parent category; null for a top-level category.")
    async def parent(self, info: Info) -> Category | None:
        parent = await related.parent_of(info.context, self.row)
        return None if parent is None else Category.from_row(parent)

    @strawberry.field(description="Direct sub-categories, in display order.")
    async def children(self, info: Info) -> list[Category]:
        children = await related.children_of(info.context, self.row)
        return [Category.from_row(child) for child in children]

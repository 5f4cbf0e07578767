"""`Category`: a node of the catalog's category tree."""

from __future__ import annotations

from typing import Self

import strawberry

from core.global_id import encode_global_id
from loaders import catalog as relations
from models import catalog as rows
from schema.info import Info
from schema.node import Node


@strawberry.type(description="A category of the catalog tree, such as Textiles > Woven fabrics.")
class Category(Node):
    row: strawberry.Private[rows.Category]
    name: str = strawberry.field(description="Display name.")
    slug: str = strawberry.field(description="Unique, URL-safe name; use it in storefront URLs.")
    description: str = strawberry.field(description="Longer description; may be empty.")

    @classmethod
    def from_row(cls, row: rows.Category) -> Self:
        assert row.id is not None
        return cls(
            id=strawberry.ID(encode_global_id("Category", row.id)),
            row=row,
            name=row.name,
            slug=row.slug,
            description=row.description,
        )

    @strawberry.field(description="The parent category; null for a top-level category.")
    async def parent(self, info: Info) -> Category | None:
        if self.row.parent_id is None:
            return None
        parent = await info.context.loaders.one(relations.CATEGORY_BY_ID, self.row.parent_id)
        return None if parent is None else Category.from_row(parent)

    @strawberry.field(description="Direct sub-categories, in display order.")
    async def children(self, info: Info) -> list[Category]:
        children = await info.context.loaders.many(relations.CATEGORY_CHILDREN, self.row.id)
        return [Category.from_row(child) for child in children]

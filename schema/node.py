"""The Relay `Node` interface and the connection plumbing shared by every list."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

import strawberry

from resolvers.pagination import Page

R = TypeVar("R")
N = TypeVar("N")
E = TypeVar("E")


@strawberry.interface(
    description=(
        "An object with a globally unique id. Fetch any node again with `node(id:)`; ids are "
        "opaque strings that encode the object's type, so keep them as they are."
    )
)
class Node:
    id: strawberry.ID = strawberry.field(description="Globally unique, opaque id of this object.")


@strawberry.type(description="Where a page sits in a list, for cursor-based paging.")
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="True when more items follow; fetch them with `after: endCursor`."
    )
    has_previous_page: bool = strawberry.field(
        description="True when this page was fetched with `after`, so items precede it."
    )
    start_cursor: str | None = strawberry.field(
        description="Cursor of the first item of this page; null when the page is empty."
    )
    end_cursor: str | None = strawberry.field(
        description="Cursor of the last item; pass it as `after` to get the next page."
    )


def connection_parts(
    page: Page[R], wrap: Callable[[R], N], edge: Callable[..., E]
) -> tuple[list[E], list[N], PageInfo]:
    """Edges, nodes and page info of a keyset page, shared by every connection type."""
    nodes = [wrap(row) for row in page.rows]
    edges = [
        edge(cursor=cursor, node=node) for cursor, node in zip(page.cursors, nodes, strict=True)
    ]
    info = PageInfo(
        has_next_page=page.has_next_page,
        has_previous_page=page.has_previous_page,
        start_cursor=page.cursors[0] if page.cursors else None,
        end_cursor=page.cursors[-1] if page.cursors else None,
    )
    return edges, nodes, info


# The arguments of every connection field, declared once; each field gives its own default.
PageSize = Annotated[int, strawberry.argument(description="Page size, from 1 to 100.")]
PageAfter = Annotated[
    str | None, strawberry.argument(description="Cursor after which the page starts.")
]

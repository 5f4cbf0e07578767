"""Paging through a keyset-paged list as a client would, optionally writing rows between pages."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests.graphql_client import GraphQLClient

Between = Callable[[int], Awaitable[None]]

# The page sizes every staff list is paged at (issue 17): `make test-fast` pages at 7 (many
# pages, rows inserted between them), the whole suite at 1 and 100 as well.
PAGE_SIZES = [
    pytest.param(1, marks=pytest.mark.slow),
    7,
    pytest.param(100, marks=pytest.mark.slow),
]


async def page_through(
    staff: GraphQLClient,
    query: str,
    field: str,
    size: int,
    variables: dict[str, Any],
    *,
    between: Between | None = None,
) -> list[dict[str, Any]]:
    """Every node of the list, `size` at a time, calling `between(page_number)` before each
    page after the first (to insert rows while paging)."""
    nodes: list[dict[str, Any]] = []
    after: str | None = None
    for page_number in range(1, 1_000):
        if after is not None and between is not None:
            await between(page_number)
        body = await staff.post(query, {**variables, "first": size, "after": after})
        assert "errors" not in body, body
        listing = body["data"][field]
        assert len(listing["nodes"]) <= size
        nodes.extend(listing["nodes"])
        if not listing["pageInfo"]["hasNextPage"]:
            return nodes
        after = listing["pageInfo"]["endCursor"]
    raise AssertionError("the list never ended")

"""Callers and documents shared by the staff catalog read tests."""

from __future__ import annotations

from core.db import Database
from core.settings import Settings
from models.accounts import Role
from tests.callers import token_for
from tests.graphql_client import GraphQLClient

LISTING = """
query($first: Int, $after: String, $search: String, $filter: CatalogProductFilter,
      $sortBy: CatalogProductSort) {
  catalogProducts(first: $first, after: $after, search: $search, filter: $filter,
                  sortBy: $sortBy) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id status version updatedAt stockOnHand stockReserved variantCount
            product { name } }
  }
}
"""


async def as_role(
    db: Database, settings: Settings, role: Role, http: GraphQLClient
) -> GraphQLClient:
    async with db.transaction() as session:
        return http.as_(await token_for(session, settings, role))


async def listed_names(staff: GraphQLClient, **variables: object) -> list[str]:
    body = await staff.post(LISTING, {"first": 100, **variables})
    assert "errors" not in body, body
    return [node["product"]["name"] for node in body["data"]["catalogProducts"]["nodes"]]

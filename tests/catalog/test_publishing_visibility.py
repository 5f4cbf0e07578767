"""A draft or archived product never reaches the storefront, on any read path, and a publish
shows at once: also to a second app instance answering from the shared Redis read cache."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from core.db import Database
from core.settings import Settings
from tests.catalog.catalog_writes import World, make_world
from tests.graphql_client import GraphQLClient, calling, served

STOREFRONT = """query($slug: String!, $id: ID!, $type: String!, $category: String!,
    $words: String!) {
  product(slug: $slug) { slug }
  node(id: $id) { id }
  byType: products(first: 10, filter: {productTypeSlug: $type}) { totalCount nodes { slug } }
  byCategory: products(first: 10, filter: {categorySlug: $category}) { nodes { slug } }
  bySearch: products(first: 10, filter: {search: $words}) { nodes { slug } }
  byPrice: products(first: 10, filter: {productTypeSlug: $type,
    price: {currency: "USD", min: "1", max: "10"}}) { nodes { slug } }
  facets(filter: {productTypeSlug: $type}) {
    attributes { key values { value count } } countriesOfOrigin { value count } }
}"""
# Cacheable on their own (node never is), so the second app's cache is really exercised.
CACHED = """query($slug: String!, $type: String!) {
  product(slug: $slug) { slug }
  products(first: 10, filter: {productTypeSlug: $type}) { nodes { slug } } }"""


@pytest.fixture
def shared_cache(settings: Settings, redis_prefix: str) -> Settings:
    return settings.model_copy(
        update={
            "debug_extensions": False,
            "catalog_cache_seconds": 300,
            "redis_prefix": f"{redis_prefix}publish-{uuid.uuid4().hex[:8]}:",
        }
    )


@pytest.fixture
async def two_apps(
    shared_cache: Settings, db: Database
) -> AsyncIterator[tuple[GraphQLClient, GraphQLClient]]:
    """Two app instances on one database and one Redis, as behind a load balancer."""
    async with (
        served(shared_cache, db) as first,
        served(shared_cache, db) as second,
        calling(first) as one,
        calling(second) as other,
    ):
        yield one, other


def _seen(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "product": data["product"],
        "node": data["node"],
        "byType": data["byType"]["nodes"],
        "byCategory": data["byCategory"]["nodes"],
        "bySearch": data["bySearch"]["nodes"],
        "byPrice": data["byPrice"]["nodes"],
        "weaves": [
            value
            for attribute in data["facets"]["attributes"]
            if attribute["key"] == "weave"
            for value in attribute["values"]
        ],
        "countries": data["facets"]["countriesOfOrigin"],
    }


async def test_only_an_active_product_is_seen_and_a_publish_shows_at_once_on_both_apps(
    two_apps: tuple[GraphQLClient, GraphQLClient], db: Database, shared_cache: Settings
) -> None:
    admin_app, storefront_app = two_apps
    world: World = await make_world(db, shared_cache, admin_app)
    draft = await world.product(name="Zanzibar herringbone")
    variant = await world.variant(draft["id"])
    await world.prices(variant, [(300, "4.20")])
    variables = {
        "slug": draft["slug"],
        "id": draft["id"],
        "type": world.fabric.slug,
        "category": world.category.slug,
        "words": "zanzibar",
    }
    cached = {"slug": draft["slug"], "type": world.fabric.slug}
    nothing: dict[str, Any] = {
        "product": None,
        "node": None,
        "byType": [],
        "byCategory": [],
        "bySearch": [],
        "byPrice": [],
        "weaves": [],
        "countries": [],
    }
    listed = [{"slug": draft["slug"]}]
    everywhere = {
        "product": {"slug": draft["slug"]},
        "node": {"id": draft["id"]},
        "byType": listed,
        "byCategory": listed,
        "bySearch": listed,
        "byPrice": listed,
        "weaves": [{"value": "twill", "count": 1}],
        "countries": [{"value": "IN", "count": 1}],
    }

    for caller in (
        admin_app,
        storefront_app,
    ):  # also a staff caller: the storefront shows drafts to nobody
        assert _seen(await caller.data(STOREFRONT, variables)) == nothing
    await storefront_app.data(CACHED, cached)  # now cached on the shared Redis

    published = await world.status("publishProduct", draft)
    assert (await storefront_app.data(CACHED, cached))["product"] == {"slug": draft["slug"]}
    assert _seen(await storefront_app.data(STOREFRONT, variables)) == everywhere

    unpublished = await world.status("unpublishProduct", {**draft, **published["product"]})
    assert (await storefront_app.data(CACHED, cached))["product"] is None
    assert _seen(await storefront_app.data(STOREFRONT, variables)) == nothing

    republished = await world.status("publishProduct", {**draft, **unpublished["product"]})
    await storefront_app.data(CACHED, cached)
    await world.status("archiveProduct", {**draft, **republished["product"]})
    assert (await storefront_app.data(CACHED, cached))["product"] is None
    assert _seen(await storefront_app.data(STOREFRONT, variables)) == nothing

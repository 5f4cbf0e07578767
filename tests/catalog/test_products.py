"""The storefront's product listing: paging, filters, visibility and what it costs in SQL."""

from __future__ import annotations

from core.db import Database
from core.global_id import encode_global_id
from models.catalog import ProductStatus
from tests.builders import make_category, make_fabric_type, make_product, make_variant
from tests.graphql_client import GraphQLClient

LISTING = """
query Listing($first: Int!, $after: String, $filter: ProductFilter) {
  products(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { cursor node { name slug } }
  }
}
"""

# What the foundation issue measures: a page with category, variants and price tiers.
PAGE_WITH_RELATIONS = """
query PageWithRelations($first: Int!) {
  products(first: $first) {
    totalCount
    edges { node {
      name category { name }
      variants { sku available priceTiers { currency minQuantity unitPrice }
                 price(currency: "USD", quantity: 600) { unitPrice total } }
    } }
  }
}
"""

FULL_PAGE = """
query FullPage($first: Int!) {
  products(first: $first) {
    totalCount
    edges { node {
      id name hsCode countryOfOrigin moq leadTimeDays incoterms
      category { name slug }
      productType { name }
      specs { key display }
      variants { sku available priceTiers { currency minQuantity unitPrice }
                 price(currency: "USD", quantity: 600) { unitPrice total } }
    } }
  }
}
"""


async def _seed_named(db: Database, names: list[str]) -> None:
    async with db.session() as session:
        product_type = await make_fabric_type(session)
        category = await make_category(session)
        for name in names:
            product = await make_product(
                session, product_type=product_type, category=category, name=name
            )
            await make_variant(session, product=product)
        await session.commit()


async def test_pages_walk_every_active_product_once_in_name_order(
    db: Database, client: GraphQLClient
) -> None:
    names = [f"Fabric {index:02d}" for index in range(7)]
    await _seed_named(db, list(reversed(names)))
    seen: list[str] = []
    after = None
    while True:
        data = await client.data(LISTING, {"first": 3, "after": after})
        connection = data["products"]
        assert connection["totalCount"] == 7
        seen += [edge["node"]["name"] for edge in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        assert connection["pageInfo"]["endCursor"] == connection["edges"][-1]["cursor"]
        after = connection["pageInfo"]["endCursor"]
    assert seen == names


async def test_draft_and_archived_products_are_never_listed(
    db: Database, client: GraphQLClient
) -> None:
    async with db.session() as session:
        product_type = await make_fabric_type(session)
        category = await make_category(session)
        for status in ProductStatus:
            await make_product(
                session,
                product_type=product_type,
                category=category,
                name=f"Fabric {status.value}",
                status=status,
            )
        await session.commit()
    data = await client.data(LISTING, {"first": 10})
    assert [edge["node"]["name"] for edge in data["products"]["edges"]] == ["Fabric active"]
    assert data["products"]["totalCount"] == 1


async def test_category_filter_includes_descendants_only(
    db: Database, client: GraphQLClient
) -> None:
    async with db.session() as session:
        product_type = await make_fabric_type(session)
        textiles = await make_category(session, name="Textiles")
        woven = await make_category(session, name="Woven", parent=textiles)
        twill = await make_category(session, name="Twill", parent=woven)
        spices = await make_category(session, name="Spices")
        for category in (textiles, woven, twill, spices):
            await make_product(
                session, product_type=product_type, category=category, name=f"In {category.name}"
            )
        await session.commit()
        woven_id = encode_global_id("Category", woven.id or 0)
        textiles_slug = textiles.slug

    by_id = await client.data(LISTING, {"first": 10, "filter": {"category": woven_id}})
    assert [e["node"]["name"] for e in by_id["products"]["edges"]] == ["In Twill", "In Woven"]
    by_slug = await client.data(LISTING, {"first": 10, "filter": {"categorySlug": textiles_slug}})
    assert by_slug["products"]["totalCount"] == 3


async def test_a_category_and_one_attribute_list_and_count_from_the_spec_rows_alike(
    db: Database, client: GraphQLClient
) -> None:
    # given twills and satins inside a category tree and outside it, one twill a draft
    async with db.session() as session:
        product_type = await make_fabric_type(session)
        textiles = await make_category(session, name="Textiles")
        woven = await make_category(session, name="Woven", parent=textiles)
        other = await make_category(session, name="Other")
        for category, name, weave, status in (
            (textiles, "B twill", "twill", ProductStatus.ACTIVE),
            (woven, "A twill", "twill", ProductStatus.ACTIVE),
            (woven, "C twill draft", "twill", ProductStatus.DRAFT),
            (woven, "D satin", "satin", ProductStatus.ACTIVE),
            (other, "E twill", "twill", ProductStatus.ACTIVE),
        ):
            await make_product(
                session,
                product_type=product_type,
                category=category,
                name=name,
                specs={"gsm": 200, "weave": weave},
                status=status,
            )
        await session.commit()
        textiles_slug = textiles.slug
    twill = {"attribute": "weave", "equals": {"text": "twill"}}
    twills = {"categorySlug": textiles_slug, "specs": [twill]}
    # when a storefront pages through the tree's twills by name, one per page
    first = await client.data(LISTING, {"first": 1, "filter": twills})
    after = first["products"]["pageInfo"]["endCursor"]
    second = await client.data(LISTING, {"first": 1, "after": after, "filter": twills})
    # then it sees the active twills of the subtree only, in order, counted alike on each page
    names = [e["node"]["name"] for page in (first, second) for e in page["products"]["edges"]]
    assert names == ["A twill", "B twill"]
    assert first["products"]["totalCount"] == second["products"]["totalCount"] == 2
    assert not second["products"]["pageInfo"]["hasNextPage"]


async def test_in_stock_filter_uses_available_not_on_hand(
    db: Database, client: GraphQLClient
) -> None:
    async with db.session() as session:
        product_type = await make_fabric_type(session)
        category = await make_category(session)
        fully_reserved = await make_product(
            session, product_type=product_type, category=category, name="Fully reserved"
        )
        await make_variant(session, product=fully_reserved, on_hand=50, reserved=50)
        available = await make_product(
            session, product_type=product_type, category=category, name="Available"
        )
        await make_variant(session, product=available, on_hand=50, reserved=49)
        await session.commit()

    in_stock = await client.data(LISTING, {"first": 10, "filter": {"inStock": True}})
    assert [e["node"]["name"] for e in in_stock["products"]["edges"]] == ["Available"]
    out = await client.data(LISTING, {"first": 10, "filter": {"inStock": False}})
    assert [e["node"]["name"] for e in out["products"]["edges"]] == ["Fully reserved"]


async def test_a_page_of_100_costs_the_same_statements_as_a_page_of_1(
    db: Database, client: GraphQLClient
) -> None:
    async with db.session() as session:
        product_type = await make_fabric_type(session)
        parent = await make_category(session)
        categories = [await make_category(session, parent=parent) for _ in range(5)]
        for index in range(100):
            product = await make_product(
                session, product_type=product_type, category=categories[index % 5]
            )
            await make_variant(session, product=product, prices={"USD": [(1, "5"), (500, "4")]})
            await make_variant(session, product=product, prices={"EUR": [(1, "4.5")]})
        await session.commit()

    for query, most in ((PAGE_WITH_RELATIONS, 5), (FULL_PAGE, 7)):
        one = await client.post_with_extensions(query, {"first": 1})
        hundred = await client.post_with_extensions(query, {"first": 100})
        assert "errors" not in hundred
        assert len(hundred["data"]["products"]["edges"]) == 100
        statements = one["extensions"]["sqlStatements"]
        # page, count, then one statement per relation: category, variants, tiers
        # (FULL_PAGE adds product types and their attribute definitions)
        assert statements == hundred["extensions"]["sqlStatements"] == most

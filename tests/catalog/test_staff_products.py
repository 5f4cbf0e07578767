"""Staff product listing: every status, search, filters, orders, keyset pages, constant SQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from auth.api_keys import create_api_key
from core.db import Database
from core.global_id import encode_global_id
from core.settings import Settings
from models.accounts import Role
from models.catalog import Category, Product, ProductStatus, ProductType
from resolvers.pagination import encode_cursor
from tests.builders import make_category, make_fabric_type, make_product, make_variant
from tests.callers import error_codes, make_client_company, token_for
from tests.catalog.staff_support import LISTING, as_role, listed_names
from tests.graphql_client import GraphQLClient


async def _world(db: Database) -> dict[str, Any]:
    """Five products of three statuses, two categories (one a child), stock and prices set."""
    async with db.transaction() as session:
        fabric = await make_fabric_type(session)
        home = await make_category(session, name="Home")
        towels = await make_category(session, name="Towels", parent=home)

        async def product(
            name: str, status: ProductStatus, category: Category, **kw: Any
        ) -> Product:
            return await make_product(
                session, product_type=fabric, category=category, name=name, status=status, **kw
            )

        draft = await product("Bath towel", ProductStatus.DRAFT, towels)
        await make_variant(session, product=draft, sku="TW-100-NAVY", on_hand=3)
        await make_variant(
            session, product=draft, sku="TW-100-WHITE", on_hand=40, prices={"EUR": [(1, "2")]}
        )
        active = await product("Canvas", ProductStatus.ACTIVE, home)
        await make_variant(session, product=active, sku="CV-1", on_hand=500, reserved=20)
        archived = await product("Denim 50%_off", ProductStatus.ARCHIVED, home)
        await make_variant(session, product=archived, sku="DN-9", on_hand=0)
        empty = await product("Empty shell", ProductStatus.DRAFT, home)
        other_type = await _other_type(session)
        linen = await make_product(
            session,
            product_type=other_type,
            category=towels,
            name="Linen",
            status=ProductStatus.ACTIVE,
            specs={},
        )
        await make_variant(session, product=linen, sku="LN-1", on_hand=70)
    return {
        "fabric": fabric,
        "other_type": other_type,
        "home": home,
        "towels": towels,
        "draft": draft,
        "active": active,
        "archived": archived,
        "empty": empty,
        "linen": linen,
    }


async def _other_type(session: AsyncSession) -> ProductType:
    product_type = ProductType(name="Yarn", slug="yarn-staff-tests")
    session.add(product_type)
    await session.flush()
    return product_type


def _gid(type_name: str, row: Any) -> str:
    return encode_global_id(type_name, row.id)


ALL = ["Bath towel", "Canvas", "Denim 50%_off", "Empty shell", "Linen"]


async def test_staff_list_every_status_with_list_row_figures(
    db: Database, settings: Settings, client: GraphQLClient
) -> None:
    await _world(db)
    staff = await as_role(db, settings, Role.SUPPORT, client)
    body = await staff.post(LISTING, {"first": 100})
    listing = body["data"]["catalogProducts"]
    assert [node["product"]["name"] for node in listing["nodes"]] == ALL
    assert listing["totalCount"] == 5
    towel = listing["nodes"][0]
    assert towel["status"] == "DRAFT"
    assert towel["version"] == 1
    assert (towel["stockOnHand"], towel["stockReserved"], towel["variantCount"]) == (43, 0, 2)
    shell = listing["nodes"][3]
    assert (shell["stockOnHand"], shell["variantCount"]) == (0, 0)
    # the storefront still sees active products only
    storefront = await client.post("{ products(first: 100) { nodes { name } } }")
    assert [n["name"] for n in storefront["data"]["products"]["nodes"]] == ["Canvas", "Linen"]


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("TW-100-NAVY", ["Bath towel"]),  # an exact SKU
        ("tw-100", ["Bath towel"]),  # a SKU prefix, any case
        ("  cv-1 ", ["Canvas"]),
        ("bath", ["Bath towel"]),  # a name prefix, any case
        ("denim 50%_", ["Denim 50%_off"]),  # % and _ are plain characters
        ("50%", []),  # a prefix, not a substring
        ("%", []),
        ("_", []),
        ("towel", []),
        ("", ALL),  # blank: no search
    ],
)
async def test_search_finds_sku_and_name_prefixes_in_every_status(
    db: Database, settings: Settings, client: GraphQLClient, search: str, expected: list[str]
) -> None:
    await _world(db)
    staff = await as_role(db, settings, Role.SALES, client)
    assert await listed_names(staff, search=search) == expected


async def test_filters(db: Database, settings: Settings, client: GraphQLClient) -> None:
    world = await _world(db)
    staff = await as_role(db, settings, Role.CATALOG_MANAGER, client)

    async def names(**given: Any) -> list[str]:
        return await listed_names(staff, filter=given)

    assert await names(status=["DRAFT"]) == ["Bath towel", "Empty shell"]
    assert await names(status=["ACTIVE", "ARCHIVED"]) == ["Canvas", "Denim 50%_off", "Linen"]
    assert await names(productType=_gid("ProductType", world["other_type"])) == ["Linen"]
    home = _gid("Category", world["home"])
    assert await names(category=home) == ALL
    assert await names(category=home, includeSubcategories=False) == [
        "Canvas",
        "Denim 50%_off",
        "Empty shell",
    ]
    assert await names(category=_gid("Category", world["towels"])) == ["Bath towel", "Linen"]
    # some variant below the threshold: the navy towel (3), denim (0)
    assert await names(stockBelow=4) == ["Bath towel", "Denim 50%_off"]
    assert await names(stockBelow=1) == ["Denim 50%_off"]
    # the white towel has EUR tiers only; every other variant is priced in USD and not EUR
    assert await names(noPriceIn="USD") == ["Bath towel"]
    assert await names(noPriceIn="EUR") == ["Bath towel", "Canvas", "Denim 50%_off", "Linen"]
    assert await names(status=["DRAFT"], noPriceIn="USD", stockBelow=10) == ["Bath towel"]


async def test_updated_since_and_the_updated_order(
    db: Database, settings: Settings, client: GraphQLClient
) -> None:
    await _world(db)
    now = datetime.now(UTC)
    async with db.transaction() as session:
        fabric = await make_fabric_type(session)
        category = await make_category(session)
        for days, name in ((30, "Old"), (2, "Recent"), (1, "Latest")):
            await make_product(
                session,
                product_type=fabric,
                category=category,
                name=name,
                updated_at=now - timedelta(days=days),
            )
    staff = await as_role(db, settings, Role.FINANCE, client)
    since = (now - timedelta(days=3)).isoformat()
    recent = await listed_names(staff, filter={"updatedSince": since}, sortBy="UPDATED")
    assert recent[-2:] == ["Recent", "Latest"][::-1]
    assert "Old" not in recent
    everything = await listed_names(staff, sortBy="UPDATED")
    assert everything[-3:] == ["Latest", "Recent", "Old"]


async def test_stock_orders_rank_by_total_on_hand(
    db: Database, settings: Settings, client: GraphQLClient
) -> None:
    await _world(db)
    staff = await as_role(db, settings, Role.SUPPORT, client)
    ascending = ["Denim 50%_off", "Empty shell", "Bath towel", "Linen", "Canvas"]
    assert await listed_names(staff, sortBy="STOCK_ASC") == ascending
    assert await listed_names(staff, sortBy="STOCK_DESC") == ascending[::-1]


@pytest.mark.parametrize("sort", ["NAME", "UPDATED", "STOCK_ASC", "STOCK_DESC"])
async def test_pages_have_no_duplicates_or_gaps_while_products_are_added(
    db: Database, settings: Settings, client: GraphQLClient, sort: str
) -> None:
    async with db.transaction() as session:
        fabric = await make_fabric_type(session)
        category = await make_category(session)
        for index in range(25):
            product = await make_product(
                session, product_type=fabric, category=category, name=f"P{index % 7:02d}"
            )
            await make_variant(session, product=product, on_hand=index % 4)
    staff = await as_role(db, settings, Role.SUPPORT, client)
    seen: list[str] = []
    after = None
    for page_number in range(30):
        body = await staff.post(LISTING, {"first": 4, "after": after, "sortBy": sort})
        listing = body["data"]["catalogProducts"]
        seen += [node["id"] for node in listing["nodes"]]
        if page_number == 1:  # a product added while paging, somewhere in the order
            async with db.transaction() as session:
                await make_product(session, product_type=fabric, category=category, name="P03")
        if not listing["pageInfo"]["hasNextPage"]:
            break
        after = listing["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen))
    # every product that existed before paging started was listed once
    first_25 = await staff.post(LISTING, {"first": 100, "sortBy": sort})
    existing = {node["id"] for node in first_25["data"]["catalogProducts"]["nodes"]}
    assert len(existing) == 26
    assert len(existing - set(seen)) <= 1  # at most the product added mid-way, if behind us


@pytest.mark.parametrize("sort", ["NAME", "UPDATED", "STOCK_ASC"])
async def test_a_page_of_100_costs_the_statements_of_a_page_of_1(
    db: Database, settings: Settings, client: GraphQLClient, sort: str
) -> None:
    async with db.transaction() as session:
        fabric = await make_fabric_type(session)
        category = await make_category(session)
        for index in range(101):
            product = await make_product(
                session,
                product_type=fabric,
                category=category,
                status=list(ProductStatus)[index % 3],
            )
            await make_variant(session, product=product)
            await make_variant(session, product=product)
    staff = await as_role(db, settings, Role.CATALOG_MANAGER, client)
    query = """
    query($first: Int!, $sortBy: CatalogProductSort) {
      catalogProducts(first: $first, sortBy: $sortBy, search: "product") {
        totalCount
        nodes { status stockOnHand variantCount
                product { name category { name } variants { sku priceTiers { unitPrice } } }
                variants { sku stockOnHand } }
      }
    }
    """
    one = await staff.post_with_extensions(query, {"first": 1, "sortBy": sort})
    hundred = await staff.post_with_extensions(query, {"first": 100, "sortBy": sort})
    assert "errors" not in hundred, hundred
    assert len(hundred["data"]["catalogProducts"]["nodes"]) == 100
    assert one["extensions"]["sqlStatements"] == hundred["extensions"]["sqlStatements"]
    # the caller's session, the page, its count, categories, variants, price tiers
    assert hundred["extensions"]["sqlStatements"] <= 7


HOSTILE = [
    ({"search": "tw\u0000"}, "search"),
    ({"search": "x" * 65}, "search"),
    ({"after": "not a cursor"}, "after"),
    ({"after": "bm90IGpzb24="}, "after"),
    ({"first": 0}, "first"),
    ({"first": 101}, "first"),
    ({"filter": {"status": []}}, "filter.status"),
    ({"filter": {"productType": "nonsense"}}, "filter.productType"),
    ({"filter": {"productType": encode_global_id("Category", 1)}}, "filter.productType"),
    ({"filter": {"category": encode_global_id("Product", 1)}}, "filter.category"),
    ({"filter": {"stockBelow": 0}}, "filter.stockBelow"),
    ({"filter": {"stockBelow": -5}}, "filter.stockBelow"),
    ({"filter": {"noPriceIn": "usd"}}, "filter.noPriceIn"),
    ({"filter": {"noPriceIn": "XXXX"}}, "filter.noPriceIn"),
]


@pytest.mark.parametrize(("variables", "argument"), HOSTILE)
async def test_hostile_arguments_get_bad_user_input_naming_them(
    db: Database,
    settings: Settings,
    client: GraphQLClient,
    variables: dict[str, Any],
    argument: str,
) -> None:
    staff = await as_role(db, settings, Role.SUPPORT, client)
    body = await staff.post(LISTING, variables)
    # a NUL is refused while the variables are read, before any field runs
    assert [code for _path, code in error_codes(body)] == ["BAD_USER_INPUT"], body
    assert body["errors"][0]["extensions"].get("argument") == argument
    assert (body.get("data") or {}).get("catalogProducts") is None


async def test_cursors_of_another_order_or_altered_by_hand_are_refused(
    db: Database, settings: Settings, client: GraphQLClient
) -> None:
    await _world(db)
    staff = await as_role(db, settings, Role.SUPPORT, client)
    body = await staff.post(LISTING, {"first": 1, "sortBy": "NAME"})
    by_name = body["data"]["catalogProducts"]["pageInfo"]["endCursor"]
    body = await staff.post(LISTING, {"first": 1, "sortBy": "STOCK_ASC"})
    by_stock = body["data"]["catalogProducts"]["pageInfo"]["endCursor"]
    forged = [
        (by_name, "UPDATED"),
        (by_stock, "NAME"),
        (encode_cursor("catalog_name", ["A", 2**40]), "NAME"),
        (encode_cursor("catalog_stock_asc", [2**70, 1]), "STOCK_ASC"),
        (encode_cursor("catalog_updated", ["yesterday", 1]), "UPDATED"),
        (encode_cursor("catalog_updated", ["2026-01-01T00:00:00+00:00\u0000", 1]), "UPDATED"),
    ]
    for cursor, sort in forged:
        body = await staff.post(LISTING, {"after": cursor, "sortBy": sort})
        assert error_codes(body) == [("catalogProducts", "BAD_USER_INPUT")], (sort, body)


async def test_an_absurd_threshold_is_refused_before_it_runs(
    db: Database, settings: Settings, client: GraphQLClient
) -> None:
    staff = await as_role(db, settings, Role.SUPPORT, client)
    body = await staff.post(LISTING, {"filter": {"stockBelow": 2**40}})
    assert body.get("data") is None
    assert [error["extensions"]["code"] for error in body["errors"]] == ["BAD_USER_INPUT"]


async def test_storefront_callers_are_forbidden(
    db: Database, settings: Settings, client: GraphQLClient
) -> None:
    await _world(db)
    async with db.transaction() as session:
        company = await make_client_company(session)
        buyer = client.as_(await token_for(session, settings, Role.CLIENT, company=company))
        key = await create_api_key(session, name="shop", role=Role.STOREFRONT)
    storefront_key = client.as_(key.key)
    for caller in (client, buyer, storefront_key):
        body = await caller.post(LISTING, {"search": "bath"})
        assert error_codes(body) == [("catalogProducts", "FORBIDDEN")]
        assert body["data"]["catalogProducts"] is None

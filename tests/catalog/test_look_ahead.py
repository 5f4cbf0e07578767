"""The storefront listing looks ahead: every level of a page is fetched in one batch before its
fields resolve, so no field of any item awaits a loader, and the statements do not grow with
the page. Fields it does not cover still resolve through their loaders, with the same data."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import select

from core.db import Database
from core.request_session import RequestSession
from core.settings import Settings
from loaders.catalog import PRICE_TIERS_BY_VARIANT
from loaders.relations import Loaders
from models.accounts import Role
from models.catalog import Variant
from tests.builders import make_category, make_fabric_type, make_product, make_variant
from tests.catalog.staff_support import as_role
from tests.graphql_client import GraphQLClient
from tests.sql_log import statements_sent

LISTING = """
query($first: Int!) { products(first: $first) { edges { node { ...card } } nodes { id } } }
fragment card on Product {
  id name category { name } specs { label display }
  variants { sku available usd: price(currency: "USD", quantity: 500) { unitPrice total }
             tiers: priceTiers(currency: "USD") { minQuantity unitPrice } }
}
"""
# The same variants reached from the other side: `product` of a variant is not looked ahead.
BY_VARIANT = """
query($id: ID!) { node(id: $id) { ... on Variant { sku product { name category { name } } } } }
"""


async def _seed(db: Database, products: int) -> None:
    async with db.session() as session:
        fabric = await make_fabric_type(session)
        category = await make_category(session, name="Shirting")
        for index in range(products):
            product = await make_product(
                session, product_type=fabric, category=category, name=f"Poplin {index:03d}"
            )
            for width in (110, 150):
                await make_variant(
                    session,
                    product=product,
                    sku=f"POP-{index:03d}-{width}",
                    prices={"USD": [(1, f"{4 + index}.20"), (500, f"{3 + index}.90")]},
                )
        await session.commit()


async def test_a_page_of_30_awaits_no_field_and_costs_what_a_page_of_1_costs(
    db: Database, client: GraphQLClient
) -> None:
    # given 30 products with two priced variants each
    await _seed(db, 30)
    # when the storefront lists one, then all thirty
    one = await client.post_with_extensions(LISTING, {"first": 1})
    thirty = await client.post_with_extensions(LISTING, {"first": 30})
    # then every field resolved from rows fetched ahead: none awaited a loader
    assert "errors" not in thirty
    edges = thirty["data"]["products"]["edges"]
    assert len(edges) == 30
    assert one["extensions"]["awaitedFields"] == thirty["extensions"]["awaitedFields"] == 0
    # the page, categories, attributes, variants and price tiers: one statement each
    assert one["extensions"]["sqlStatements"] == thirty["extensions"]["sqlStatements"] == 5
    first = edges[0]["node"]
    assert first["category"] == {"name": "Shirting"}
    assert [v["sku"] for v in first["variants"]] == ["POP-000-110", "POP-000-150"]
    assert first["variants"][0]["usd"] == {"unitPrice": "3.9000", "total": "1950.00"}
    assert first["variants"][0]["tiers"] == [
        {"minQuantity": 1, "unitPrice": "4.2000"},
        {"minQuantity": 500, "unitPrice": "3.9000"},
    ]
    assert {"label": "Fabric weight", "display": "220 g/m²"} in first["specs"]


async def test_a_field_the_look_ahead_does_not_cover_still_resolves_through_its_loader(
    db: Database, client: GraphQLClient
) -> None:
    await _seed(db, 2)
    listed = await client.post_with_extensions(LISTING, {"first": 2})
    variant_id = await _variant_id(client, "POP-001-150")
    found = await client.post_with_extensions(BY_VARIANT, {"id": variant_id})
    # the variant's product and its category are awaited, and are the listing's
    assert found["extensions"]["awaitedFields"] == 2
    product = found["data"]["node"]["product"]
    assert product["name"] == listed["data"]["products"]["edges"][1]["node"]["name"]
    assert product["category"] == {"name": "Shirting"}


async def _variant_id(client: GraphQLClient, sku: str) -> str:
    body = await client.post_with_extensions(
        "{ products(first: 10) { nodes { variants { id sku } } } }"
    )
    for product in body["data"]["products"]["nodes"]:
        for variant in product["variants"]:
            if variant["sku"] == sku:
                return str(variant["id"])
    raise AssertionError(f"no variant {sku}")


STAFF_LIST = """
query($first: Int!) { catalogProducts(first: $first) { nodes { variantCount
  variants { sku stockOnHand }
  product { name category { name } variants { usd: price(currency: "USD", quantity: 1) { total } } }
} } }
"""


async def test_the_staff_catalog_list_looks_ahead_through_its_storefront_product(
    db: Database, settings: Settings, client: GraphQLClient
) -> None:
    await _seed(db, 12)
    staff = await as_role(db, settings, Role.CATALOG_MANAGER, client)
    one = await staff.post_with_extensions(STAFF_LIST, {"first": 1})
    twelve = await staff.post_with_extensions(STAFF_LIST, {"first": 12})
    assert "errors" not in twelve, twelve
    nodes = twelve["data"]["catalogProducts"]["nodes"]
    assert len(nodes) == 12
    assert [v["sku"] for v in nodes[0]["variants"]] == ["POP-000-110", "POP-000-150"]
    assert nodes[0]["product"]["variants"][0]["usd"] == {"total": "4.20"}
    assert one["extensions"]["awaitedFields"] == twelve["extensions"]["awaitedFields"] == 0
    assert one["extensions"]["sqlStatements"] == twelve["extensions"]["sqlStatements"]


PRICES_IN_CURRENCIES = """
query { products(first: 10) { nodes { variants { sku
  usd: price(currency: "USD", quantity: 500) { unitPrice }
  eur: priceTiers(currency: "EUR") { currency minQuantity }
  every: priceTiers { currency }
} } } }
"""


async def test_a_price_in_a_currency_reads_that_currencys_tiers_only(
    db: Database, client: GraphQLClient
) -> None:
    # given variants priced in dollars and in euros
    async with db.session() as session:
        fabric = await make_fabric_type(session)
        category = await make_category(session, name="Twill")
        product = await make_product(session, product_type=fabric, category=category)
        prices = {"USD": [(1, "4.20"), (500, "3.90")], "EUR": [(1, "3.80"), (1000, "3.10")]}
        for sku in ("TWILL-110", "TWILL-150"):
            await make_variant(session, product=product, sku=sku, prices=prices)
        await session.commit()
    # when a listing asks for a dollar price, euro tiers and every tier
    body = await client.post_with_extensions(PRICES_IN_CURRENCIES)
    # then each is what it was: the narrower reads are the same rows as the whole relation's
    assert "errors" not in body, body
    variant = body["data"]["products"]["nodes"][0]["variants"][0]
    assert variant["usd"] == {"unitPrice": "3.9000"}
    assert variant["eur"] == [
        {"currency": "EUR", "minQuantity": 1},
        {"currency": "EUR", "minQuantity": 1000},
    ]
    assert sorted(tier["currency"] for tier in variant["every"]) == ["EUR", "EUR", "USD", "USD"]
    # looked ahead: the page, the variants, then every tier, which holds those in USD and EUR
    assert body["extensions"]["awaitedFields"] == 0
    assert body["extensions"]["sqlStatements"] == 3
    # without every tier asked for, the tiers in USD and in EUR are read apart, the same
    narrower = await client.post_with_extensions(PRICES_IN_CURRENCIES.replace("every:", "# "))
    assert narrower["data"]["products"]["nodes"][0]["variants"][0] == {
        "sku": variant["sku"],
        "usd": variant["usd"],
        "eur": variant["eur"],
    }
    assert narrower["extensions"]["awaitedFields"] == 0
    assert narrower["extensions"]["sqlStatements"] == 4


async def test_a_currency_that_is_not_one_is_refused_and_reads_no_relation_of_its_own(
    db: Database, client: GraphQLClient
) -> None:
    await _seed(db, 1)
    body = await client.post_with_extensions(
        '{ products(first: 1) { nodes { variants { price(currency: "XYZ", quantity: 5) '
        "{ unitPrice } } } } }"
    )
    assert [error["extensions"].get("argument") for error in body["errors"]] == [
        "currency",
        "currency",
    ]
    # the page, the variants and the whole tier relation: no statement for "XYZ"
    assert body["extensions"]["sqlStatements"] == 3


async def test_a_batch_sends_one_statement_text_whatever_its_number_of_keys(
    db: Database,
) -> None:
    # given products with two variants each
    await _seed(db, 2)
    # The batches go to the driver itself (core.prepared_reads): the SQL log sees them there.
    assert isinstance(db.bind, AsyncConnection)
    with statements_sent(db.bind) as sent:
        # when one request's loaders fetch tiers for one variant, another's for all four
        for count in (1, 4):
            session = RequestSession(db)
            try:
                variant_ids = [row.id for row in await session.scalars(select(Variant))]
                loaders = Loaders(session)
                await loaders.load_all(PRICE_TIERS_BY_VARIANT, variant_ids[:count])
            finally:
                await session.close()
    # then both batches sent the same text: the keys travel as one array parameter
    batches = [statement for statement in sent if "FROM price_tiers" in statement]
    assert len(batches) == 2
    assert batches[0] == batches[1]

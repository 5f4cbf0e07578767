"""Lookups by slug and global id, the category tree, product types, specs and prices."""

from __future__ import annotations

from decimal import Decimal

from core.db import Database
from core.global_id import encode_global_id
from models.catalog import ProductStatus
from tests.builders import make_category, make_fabric_type, make_product, make_variant
from tests.graphql_client import GraphQLClient


async def test_product_by_slug_shows_active_products_only(
    db: Database, client: GraphQLClient
) -> None:
    async with db.session() as session:
        product_type = await make_fabric_type(session)
        category = await make_category(session)
        active = await make_product(session, product_type=product_type, category=category)
        draft = await make_product(
            session, product_type=product_type, category=category, status=ProductStatus.DRAFT
        )
        await session.commit()
    query = "query($s: String!) { product(slug: $s) { slug } }"
    assert (await client.data(query, {"s": active.slug}))["product"] == {"slug": active.slug}
    assert (await client.data(query, {"s": draft.slug}))["product"] is None
    assert (await client.data(query, {"s": "no-such-product"}))["product"] is None


async def test_node_returns_each_type_and_hides_what_the_storefront_cannot_see(
    db: Database, client: GraphQLClient
) -> None:
    async with db.session() as session:
        product_type = await make_fabric_type(session)
        category = await make_category(session)
        product = await make_product(session, product_type=product_type, category=category)
        variant = await make_variant(session, product=product)
        archived = await make_product(
            session, product_type=product_type, category=category, status=ProductStatus.ARCHIVED
        )
        hidden_variant = await make_variant(session, product=archived)
        await session.commit()
    query = """query($id: ID!) { node(id: $id) { __typename id
      ... on Product { slug } ... on Variant { sku } ... on Category { slug }
      ... on ProductType { slug } } }"""
    for type_name, row, field, value in (
        ("Product", product, "slug", product.slug),
        ("Variant", variant, "sku", variant.sku),
        ("Category", category, "slug", category.slug),
        ("ProductType", product_type, "slug", product_type.slug),
    ):
        global_id = encode_global_id(type_name, row.id or 0)
        node = (await client.data(query, {"id": global_id}))["node"]
        assert node == {"__typename": type_name, "id": global_id, field: value}
    for type_name, row in (("Product", archived), ("Variant", hidden_variant)):
        hidden = await client.data(query, {"id": encode_global_id(type_name, row.id or 0)})
        assert hidden["node"] is None
    missing = await client.data(query, {"id": encode_global_id("Product", 999_999_999)})
    assert missing["node"] is None


async def test_categories_form_a_tree(db: Database, client: GraphQLClient) -> None:
    async with db.session() as session:
        textiles = await make_category(session, name="Textiles")
        woven = await make_category(session, name="Woven", parent=textiles)
        await make_category(session, name="Twill", parent=woven)
        await make_category(session, name="Spices")
        await session.commit()
    data = await client.data(
        "{ categories { name parent { name } children { name parent { name } "
        "children { name children { name } } } } }"
    )
    assert data["categories"] == [
        {"name": "Spices", "parent": None, "children": []},
        {
            "name": "Textiles",
            "parent": None,
            "children": [
                {
                    "name": "Woven",
                    "parent": {"name": "Textiles"},
                    "children": [{"name": "Twill", "children": []}],
                }
            ],
        },
    ]


async def test_product_type_lists_its_attribute_schema(db: Database, client: GraphQLClient) -> None:
    async with db.session() as session:
        product_type = await make_fabric_type(session)
        await session.commit()
    data = await client.data(
        "query($s: String!) { productType(slug: $s) { name attributes { key label kind unit "
        "required filterable allowedValues } } }",
        {"s": product_type.slug},
    )
    attributes = data["productType"]["attributes"]
    assert [a["key"] for a in attributes] == [
        "gsm",
        "weave",
        "organic",
        "composition",
        "certifications",
    ]
    assert attributes[0] == {
        "key": "gsm",
        "label": "Fabric weight",
        "kind": "NUMBER",
        "unit": "g/m²",
        "required": True,
        "filterable": True,
        "allowedValues": [],
    }
    assert attributes[1]["allowedValues"] == ["plain", "twill", "satin"]


async def test_specs_are_typed_and_formatted(db: Database, client: GraphQLClient) -> None:
    async with db.session() as session:
        product_type = await make_fabric_type(session)
        category = await make_category(session)
        product = await make_product(
            session,
            product_type=product_type,
            category=category,
            specs={
                "gsm": 220.0,
                "weave": "twill",
                "organic": True,
                "composition": "100% cotton",
                "certifications": ["GOTS", "OEKO-TEX"],
            },
        )
        await session.commit()
    data = await client.data(
        "query($s: String!) { product(slug: $s) { specs { key kind text number boolean values "
        "display } } }",
        {"s": product.slug},
    )
    assert data["product"]["specs"] == [
        {
            "key": "gsm",
            "kind": "NUMBER",
            "text": None,
            "number": 220.0,
            "boolean": None,
            "values": None,
            "display": "220 g/m²",
        },
        {
            "key": "weave",
            "kind": "ENUM",
            "text": None,
            "number": None,
            "boolean": None,
            "values": ["twill"],
            "display": "twill",
        },
        {
            "key": "organic",
            "kind": "BOOLEAN",
            "text": None,
            "number": None,
            "boolean": True,
            "values": None,
            "display": "Yes",
        },
        {
            "key": "composition",
            "kind": "TEXT",
            "text": "100% cotton",
            "number": None,
            "boolean": None,
            "values": None,
            "display": "100% cotton",
        },
        {
            "key": "certifications",
            "kind": "MULTI_ENUM",
            "text": None,
            "number": None,
            "boolean": None,
            "values": ["GOTS", "OEKO-TEX"],
            "display": "GOTS, OEKO-TEX",
        },
    ]


async def test_price_picks_the_tier_for_the_quantity_and_currency(
    db: Database, client: GraphQLClient
) -> None:
    async with db.session() as session:
        product_type = await make_fabric_type(session)
        category = await make_category(session)
        product = await make_product(session, product_type=product_type, category=category)
        variant = await make_variant(
            session,
            product=product,
            on_hand=120,
            reserved=20,
            prices={
                "USD": [(100, "4.2000"), (500, "3.9000"), (2000, "3.5500")],
                "EUR": [(100, "3.9000")],
            },
        )
        await session.commit()
    query = """query($id: ID!, $c: String!, $q: Int!) { node(id: $id) { ... on Variant {
      available price(currency: $c, quantity: $q) { currency quantity minQuantity unitPrice total }
      usd: priceTiers(currency: "USD") { minQuantity unitPrice }
      all: priceTiers { currency }
    } } }"""
    variant_id = encode_global_id("Variant", variant.id or 0)

    async def price(currency: str, quantity: int) -> object:
        data = await client.data(query, {"id": variant_id, "c": currency, "q": quantity})
        return data["node"]["price"]

    assert await price("USD", 99) is None
    assert await price("USD", 100) == {
        "currency": "USD",
        "quantity": 100,
        "minQuantity": 100,
        "unitPrice": "4.2000",
        "total": "420.00",
    }
    assert (await price("USD", 1999))["minQuantity"] == 500  # type: ignore[index]
    assert Decimal((await price("USD", 2000))["unitPrice"]) == Decimal("3.55")  # type: ignore[index]
    assert (await price("EUR", 5000))["unitPrice"] == "3.9000"  # type: ignore[index]
    assert await price("GBP", 5000) is None

    data = await client.data(query, {"id": variant_id, "c": "USD", "q": 1})
    assert data["node"]["available"] == 100
    assert [tier["minQuantity"] for tier in data["node"]["usd"]] == [100, 500, 2000]
    assert sorted({tier["currency"] for tier in data["node"]["all"]}) == ["EUR", "USD"]


async def test_price_arguments_are_validated(db: Database, client: GraphQLClient) -> None:
    async with db.session() as session:
        product_type = await make_fabric_type(session)
        category = await make_category(session)
        product = await make_product(session, product_type=product_type, category=category)
        variant = await make_variant(session, product=product)
        await session.commit()
    variant_id = encode_global_id("Variant", variant.id or 0)
    query = """query($id: ID!, $c: String!, $q: Int!) { node(id: $id) { ... on Variant {
      price(currency: $c, quantity: $q) { total } } } }"""
    for currency, quantity, argument in (
        ("usd", 1, "currency"),
        ("XXX", 1, "currency"),
        ("USD", 0, "quantity"),
        ("USD", -5, "quantity"),
        # more than one order line may carry
        ("USD", 10_000_001, "quantity"),
    ):
        body = await client.post(query, {"id": variant_id, "c": currency, "q": quantity})
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert body["errors"][0]["extensions"]["argument"] == argument

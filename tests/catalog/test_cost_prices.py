"""Cost prices and margins reach only holders of `catalog:read_cost`, on every path."""

from __future__ import annotations

from decimal import Decimal

from auth.api_keys import create_api_key
from core.db import Database
from core.global_id import encode_global_id
from core.settings import Settings
from models.accounts import Role
from tests.builders import make_category, make_fabric_type, make_product, make_variant
from tests.callers import error_codes, token_for
from tests.graphql_client import graphql_client

PATHS = {
    "product": """query($slug: String!) { product(slug: $slug) {
        variants { sku costPrice { amount currency } margin { amount currency } } } }""",
    "listing": """{ products(first: 5) { edges { node {
        variants { sku costPrice { amount currency } margin { amount currency } } } } } }""",
    "node": """query($variant: ID!) { node(id: $variant) { ... on Variant {
        sku costPrice { amount currency } margin { amount currency } } } }""",
    "back and forth": """query($variant: ID!) { node(id: $variant) { ... on Variant {
        product { variants { sku costPrice { amount } margin { amount } } } } } }""",
}


async def _catalog(db: Database) -> dict[str, str]:
    async with db.transaction() as session:
        product = await make_product(
            session,
            product_type=await make_fabric_type(session),
            category=await make_category(session),
        )
        variant = await make_variant(
            session,
            product=product,
            sku="TW-NAVY",
            cost_price=Decimal("2.5731"),
            cost_currency="USD",
            prices={"USD": [(500, "3.90"), (1, "4.20")], "EUR": [(1, "3.80")]},
        )
        # booked in rupees, priced only in dollars: no margin without guessing a rate
        await make_variant(
            session,
            product=product,
            sku="TW-RED",
            cost_price=Decimal("199.0000"),
            cost_currency="INR",
        )
    return {"slug": product.slug, "variant": encode_global_id("Variant", variant.id or 0)}


async def test_roles_with_catalog_read_cost_see_cost_and_margin_everywhere(
    db: Database, settings: Settings
) -> None:
    variables = await _catalog(db)
    async with db.transaction() as session:
        tokens = [
            await token_for(session, settings, r) for r in (Role.CATALOG_MANAGER, Role.FINANCE)
        ]
        key = await create_api_key(session, name="Costing", role=Role.CATALOG_MANAGER)
    async with graphql_client(settings, db) as anyone:
        for token in (*tokens, key.key):
            product = await anyone.as_(token).data(PATHS["product"], {"slug": variables["slug"]})
            node = await anyone.as_(token).data(PATHS["node"], {"variant": variables["variant"]})
            assert product["product"]["variants"] == [
                {"sku": "TW-NAVY", "costPrice": {"amount": "2.5731", "currency": "USD"},
                 "margin": {"amount": "1.6269", "currency": "USD"}},
                {"sku": "TW-RED", "costPrice": {"amount": "199.0000", "currency": "INR"},
                 "margin": None},
            ]  # fmt: skip
            assert node["node"]["margin"] == {"amount": "1.6269", "currency": "USD"}


async def test_everyone_else_gets_forbidden_and_no_trace_of_the_cost_on_any_path(
    db: Database, settings: Settings
) -> None:
    variables = await _catalog(db)
    async with db.transaction() as session:
        tokens: list[str | None] = [None]
        for role in (Role.SALES, Role.SUPPORT, Role.CLIENT):
            tokens.append(await token_for(session, settings, role))
        for key_role in (Role.STOREFRONT, Role.SALES):
            tokens.append((await create_api_key(session, name="Key", role=key_role)).key)
    async with graphql_client(settings, db) as anyone:
        for token in tokens:
            for name, query in PATHS.items():
                response = await anyone.as_(token).response(query, variables)
                for secret in ("2.5731", "1.6269", "199.0"):
                    assert secret not in response.text, name
                codes = error_codes(response.json())
                assert {code for _, code in codes} == {"FORBIDDEN"}, (name, codes)
                assert all(path.endswith(("costPrice", "margin")) for path, _ in codes), codes

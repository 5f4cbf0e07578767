"""What the product, variant and price mutation tests share: documents, callers, a world."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select

from core.db import Database
from core.global_id import decode_global_id, encode_global_id
from core.settings import Settings
from models.accounts import Role
from models.audit import AuditEntry
from models.catalog import Category, ProductType
from models.outbox import OutboxEvent
from tests.builders import make_category, make_fabric_type, unique
from tests.callers import token_for
from tests.graphql_client import GraphQLClient

PRODUCT_FIELDS = """id name slug description hsCode countryOfOrigin moq leadTimeDays incoterms
  status version category { slug } productType { slug } specs { key display }"""
ERRORS = "userErrors { field code message }"
CREATE_PRODUCT = f"""mutation($input: ProductInput!, $key: String) {{
  createProduct(input: $input, idempotencyKey: $key) {{
  product {{ {PRODUCT_FIELDS} }} {ERRORS} }} }}"""
UPDATE_PRODUCT = f"""mutation($id: ID!, $v: Int!, $input: ProductPatch!) {{
  updateProduct(id: $id, expectedVersion: $v, input: $input) {{
  product {{ {PRODUCT_FIELDS} }} {ERRORS} }} }}"""
STATUS_CHANGE = """mutation($id: ID!, $v: Int!) {{ {name}(id: $id, expectedVersion: $v) {{
  product {{ status version }} userErrors {{ field code message }} }} }}"""
VARIANT_FIELDS = """id sku name unitsPerCarton cartonWeightKg cartonVolumeM3
  optionValues { name value } version priceTiers { currency minQuantity unitPrice }"""
CREATE_VARIANT = f"""mutation($product: ID!, $input: VariantInput!, $key: String) {{
  createVariant(productId: $product, input: $input, idempotencyKey: $key) {{
  variant {{ {VARIANT_FIELDS} }} {ERRORS} }} }}"""
UPDATE_VARIANT = f"""mutation($id: ID!, $v: Int!, $input: VariantPatch!) {{
  updateVariant(id: $id, expectedVersion: $v, input: $input) {{
  variant {{ {VARIANT_FIELDS} }} {ERRORS} }} }}"""
REMOVE_VARIANT = f"""mutation($id: ID!, $v: Int!) {{
  removeVariant(id: $id, expectedVersion: $v) {{ removedVariantId {ERRORS} }} }}"""
SET_PRICES = f"""mutation($id: ID!, $v: Int!, $currency: String!, $tiers: [PriceTierInput!]!) {{
  setPriceTiers(variantId: $id, currency: $currency, tiers: $tiers, expectedVersion: $v) {{
  variant {{ {VARIANT_FIELDS} }} {ERRORS} }} }}"""


@dataclass
class World:
    """A catalog manager's client, and a category and a fabric type to put products in."""

    manager: GraphQLClient
    category: Category
    fabric: ProductType

    def product_input(self, **overrides: Any) -> dict[str, Any]:
        return {
            "name": "Navy twill",
            "slug": unique("navy-twill"),
            "categoryId": encode_global_id("Category", self.category.id or 0),
            "productTypeId": encode_global_id("ProductType", self.fabric.id or 0),
            "hsCode": "5208.32",
            "countryOfOrigin": "IN",
            "moq": 300,
            "leadTimeDays": 30,
            "incoterms": ["FOB", "CIF"],
            "specs": [{"key": "gsm", "number": 220}, {"key": "weave", "values": ["twill"]}],
            **overrides,
        }

    async def product(self, **overrides: Any) -> dict[str, Any]:
        """A new draft product, as the mutation answers it."""
        payload = await self.manager.data(
            CREATE_PRODUCT, {"input": self.product_input(**overrides)}
        )
        created = payload["createProduct"]
        assert created["userErrors"] == [], created
        result: dict[str, Any] = created["product"]
        return result

    async def variant(self, product_id: str, **overrides: Any) -> dict[str, Any]:
        given = {"sku": unique("TW"), "name": "Navy", **overrides}
        payload = await self.manager.data(CREATE_VARIANT, {"product": product_id, "input": given})
        created = payload["createVariant"]
        assert created["userErrors"] == [], created
        result: dict[str, Any] = created["variant"]
        return result

    async def prices(
        self, variant: dict[str, Any], tiers: list[tuple[int, str]], currency: str = "USD"
    ) -> dict[str, Any]:
        ladder = [{"minQuantity": q, "unitPrice": p} for q, p in tiers]
        variables = {"id": variant["id"], "v": variant["version"], "currency": currency}
        payload = await self.manager.data(SET_PRICES, {**variables, "tiers": ladder})
        result: dict[str, Any] = payload["setPriceTiers"]
        return result

    async def status(self, name: str, product: dict[str, Any]) -> dict[str, Any]:
        document = STATUS_CHANGE.format(name=name)
        payload = await self.manager.data(document, {"id": product["id"], "v": product["version"]})
        result: dict[str, Any] = payload[name]
        return result

    async def sellable_product(self, **overrides: Any) -> dict[str, Any]:
        """A published product with one variant priced in USD from its MOQ."""
        product = await self.product(**overrides)
        variant = await self.variant(product["id"])
        assert (await self.prices(variant, [(product["moq"], "4.20")]))["userErrors"] == []
        published = await self.status("publishProduct", product)
        assert published["userErrors"] == [], published
        return {**product, **published["product"]}


async def make_world(db: Database, settings: Settings, http: GraphQLClient) -> World:
    async with db.transaction() as session:
        manager = http.as_(await token_for(session, settings, Role.CATALOG_MANAGER))
        return World(manager, await make_category(session), await make_fabric_type(session))


async def audit_rows(db: Database, action_prefix: str) -> list[AuditEntry]:
    async with db.session() as session:
        statement = (
            select(AuditEntry)
            .where(col(AuditEntry.action).startswith(action_prefix))
            .order_by(col(AuditEntry.id))
        )
        return list(await session.scalars(statement))


async def events(db: Database, *types: str) -> list[dict[str, Any]]:
    """Payloads of the outbox events of these types, oldest first, with their type."""
    async with db.session() as session:
        statement = (
            select(OutboxEvent)
            .where(col(OutboxEvent.event_type).in_(types))
            .order_by(col(OutboxEvent.id))
        )
        return [
            {"type": event.event_type, **event.payload}
            for event in await session.scalars(statement)
        ]


def codes(payload: dict[str, Any]) -> list[tuple[str, str]]:
    """(field path, code) of a payload's userErrors."""
    return [(".".join(error["field"] or []), error["code"]) for error in payload["userErrors"]]


def pk(global_id: str) -> int:
    return decode_global_id(global_id, argument="id")[1]

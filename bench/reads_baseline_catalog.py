"""The baseline's catalog answers (`bench/reads_baseline.py`): hand-written SQL over TradeQL's
tables, and the dicts TradeQL's documents answer, built in plain loops."""

from __future__ import annotations

import base64
from collections import defaultdict
from decimal import Decimal
from typing import Any

import asyncpg

PRODUCT_COLUMNS = """p.id, p.name, p.slug, p.hs_code, p.country_of_origin, p.moq, p.specs,
       p.product_type_id, c.name, p.description, p.lead_time_days, p.incoterms"""

LISTING = f"""
select {PRODUCT_COLUMNS}
from products p join categories c on c.id = p.category_id
where p.status = 'active'
order by p.name, p.id
limit $1"""  # noqa: S608 - constants only

# Products of one type whose number spec equals a value, as `filter: {productTypeSlug,
# specs: [{attribute, equals: {number}}]}` finds them.
SPEC_FILTERED = f"""
select {PRODUCT_COLUMNS}
from products p
join categories c on c.id = p.category_id
join product_types t on t.id = p.product_type_id
where p.status = 'active' and t.slug = $2
  and jsonb_typeof(p.specs::jsonb -> $3) = 'number' and (p.specs::jsonb ->> $3)::numeric = $4
order by p.name, p.id
limit $1"""  # noqa: S608 - constants only

DETAIL = f"""
select {PRODUCT_COLUMNS}
from products p join categories c on c.id = p.category_id
where p.status = 'active' and p.slug = $1"""  # noqa: S608 - constants only

ATTRIBUTES = """
select product_type_id, key, label, kind, unit
from attribute_definitions
where product_type_id = any($1::int[])
order by product_type_id, position, key"""

# The tier with the highest minimum quantity not above the quantity, as TradeQL picks it.
VARIANTS_PRICED = """
select v.product_id, v.sku, v.stock_on_hand - v.stock_reserved, tier.unit_price
from variants v
left join lateral (
    select t.unit_price from price_tiers t
    where t.variant_id = v.id and t.currency = $2 and t.min_quantity <= $3
    order by t.min_quantity desc limit 1
) tier on true
where v.product_id = any($1::int[])
order by v.product_id, v.sku"""

VARIANTS = """
select id, sku, name, stock_on_hand - stock_reserved from variants
where product_id = $1 order by sku"""

TIERS = """
select variant_id, min_quantity, unit_price from price_tiers
where variant_id = any($1::int[]) and currency = $2
order by variant_id, min_quantity"""


def global_id(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode("ascii")


def display(kind: str, unit: str | None, value: Any) -> str:
    """A spec's value for people, as TradeQL's `ProductSpec.display` formats it."""
    if kind == "number":
        return f"{value:g} {unit}" if unit else f"{value:g}"
    if kind == "boolean":
        return "Yes" if value else "No"
    if kind == "multi_enum":
        return ", ".join(value)
    return str(value)


def price(unit_price: Decimal | None) -> dict[str, str] | None:
    return None if unit_price is None else {"unitPrice": str(unit_price)}


async def _attributes(
    connection: asyncpg.Connection, products: list[asyncpg.Record]
) -> dict[int, list[asyncpg.Record]]:
    found = await connection.fetch(ATTRIBUTES, sorted({row[7] for row in products}))
    by_type: dict[int, list[asyncpg.Record]] = defaultdict(list)
    for attribute in found:
        by_type[attribute[0]].append(attribute)
    return by_type


def _specs(attributes: list[asyncpg.Record], specs: dict[str, Any]) -> list[dict[str, str]]:
    return [
        {"label": a[2], "display": display(a[3], a[4], specs[a[1]])}
        for a in attributes
        if a[1] in specs
    ]


async def listing(connection: asyncpg.Connection, first: int) -> tuple[dict[str, Any], int]:
    """The storefront listing: its answer's `data`, and the statements sent."""
    products = await connection.fetch(LISTING, first)
    return await _listed(connection, products), 3


async def spec_filtered(
    connection: asyncpg.Connection, first: int, type_slug: str, attribute: str, number: float
) -> tuple[dict[str, Any], int]:
    products = await connection.fetch(SPEC_FILTERED, first, type_slug, attribute, number)
    return await _listed(connection, products), 3


async def _listed(connection: asyncpg.Connection, products: list[asyncpg.Record]) -> dict[str, Any]:
    by_type = await _attributes(connection, products)
    variants = await connection.fetch(VARIANTS_PRICED, [row[0] for row in products], "USD", 5000)
    by_product: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for product_id, sku, available, unit_price in variants:
        by_product[product_id].append(
            {"sku": sku, "available": available, "price": price(unit_price)}
        )
    edges = [
        {
            "node": {
                "id": global_id("Product", row[0]),
                "name": row[1],
                "slug": row[2],
                "hsCode": row[3],
                "countryOfOrigin": row[4],
                "moq": row[5],
                "category": {"name": row[8]},
                "specs": _specs(by_type[row[7]], row[6]),
                "variants": by_product[row[0]],
            }
        }
        for row in products
    ]
    return {"products": {"edges": edges}}


async def detail(connection: asyncpg.Connection, slug: str) -> tuple[dict[str, Any], int]:
    """One product by slug, with its variants and their USD tiers."""
    row = await connection.fetchrow(DETAIL, slug)
    if row is None:
        return {"product": None}, 1
    by_type = await _attributes(connection, [row])
    variants = await connection.fetch(VARIANTS, row[0])
    tiers = await connection.fetch(TIERS, [variant[0] for variant in variants], "USD")
    by_variant: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for variant_id, min_quantity, unit_price in tiers:
        by_variant[variant_id].append({"minQuantity": min_quantity, "unitPrice": str(unit_price)})
    product = {
        "id": global_id("Product", row[0]),
        "name": row[1],
        "slug": row[2],
        "description": row[9],
        "hsCode": row[3],
        "countryOfOrigin": row[4],
        "moq": row[5],
        "leadTimeDays": row[10],
        "incoterms": row[11],
        "category": {"name": row[8]},
        "specs": _specs(by_type[row[7]], row[6]),
        "variants": [
            {
                "sku": sku,
                "name": name,
                "available": available,
                "priceTiers": by_variant[variant_id],
            }
            for variant_id, sku, name, available in variants
        ],
    }
    return {"product": product}, 4

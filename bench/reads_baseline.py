"""The hand-written endpoint `bench.reads` measures TradeQL against: Starlette, asyncpg and
orjson, with SQL written by hand over TradeQL's own tables.

Each scenario has a path of its own (`/listing`, ...) and takes the same POSTed GraphQL body
as TradeQL (it reads the variables from it), and answers the bytes TradeQL answers for that
document: `bench.reads` checks them before timing. It counts the statements it sends;
`GET /statements` reads the count. Served by uvicorn, one process:

    BENCH_BASELINE_DSN=postgresql://... uvicorn bench.reads_baseline:create_app --factory
"""

from __future__ import annotations

import base64
import os
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

POOL_SIZE = 10

PRODUCTS = """
select p.id, p.name, p.slug, p.hs_code, p.country_of_origin, p.moq, p.specs,
       p.product_type_id, c.name
from products p join categories c on c.id = p.category_id
where p.status = 'active'
order by p.name, p.id
limit $1"""

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


class Counter:
    """Statements sent since the process started."""

    statements = 0


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


async def listing(request: Request) -> Response:
    body = orjson.loads(await request.body())
    first = int(body["variables"]["n"])
    pool: asyncpg.Pool = request.app.state.pool
    async with pool.acquire() as connection:
        products = await connection.fetch(PRODUCTS, first)
        ids = [row[0] for row in products]
        type_ids = sorted({row[7] for row in products})
        attributes = await connection.fetch(ATTRIBUTES, type_ids)
        variants = await connection.fetch(VARIANTS_PRICED, ids, "USD", 5000)
    Counter.statements += 3
    by_type: dict[int, list[asyncpg.Record]] = defaultdict(list)
    for attribute in attributes:
        by_type[attribute[0]].append(attribute)
    by_product: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for product_id, sku, available, unit_price in variants:
        by_product[product_id].append(
            {"sku": sku, "available": available, "price": price(unit_price)}
        )
    edges = []
    for pid, name, slug, hs_code, country, moq, specs, type_id, category in products:
        node = {
            "id": global_id("Product", pid),
            "name": name,
            "slug": slug,
            "hsCode": hs_code,
            "countryOfOrigin": country,
            "moq": moq,
            "category": {"name": category},
            "specs": [
                {"label": a[2], "display": display(a[3], a[4], specs[a[1]])}
                for a in by_type[type_id]
                if a[1] in specs
            ],
            "variants": by_product[pid],
        }
        edges.append({"node": node})
    answer = {"data": {"products": {"edges": edges}}}
    return Response(orjson.dumps(answer), media_type="application/json")


async def statements(_request: Request) -> Response:
    return Response(orjson.dumps({"statements": Counter.statements}), media_type="application/json")


async def _init_connection(connection: asyncpg.Connection) -> None:
    for type_name in ("json", "jsonb"):
        await connection.set_type_codec(
            type_name,
            encoder=lambda v: orjson.dumps(v).decode(),
            decoder=orjson.loads,
            schema="pg_catalog",
        )


def create_app() -> Starlette:
    dsn = os.environ["BENCH_BASELINE_DSN"]

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.pool = await asyncpg.create_pool(
            dsn, min_size=POOL_SIZE, max_size=POOL_SIZE, init=_init_connection
        )
        try:
            yield
        finally:
            await app.state.pool.close()

    routes = [
        Route("/listing", listing, methods=["POST"]),
        Route("/statements", statements, methods=["GET"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)

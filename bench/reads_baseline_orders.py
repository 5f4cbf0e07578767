"""The baseline's staff orders list (`bench/reads_baseline.py`): the API key looked up as
TradeQL looks it up, then hand-written SQL over the orders, their lines and clients."""

from __future__ import annotations

import base64
import hashlib
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import asyncpg

# Roles whose keys see every order (`orders:read_all`).
READ_ALL_ROLES = frozenset({"admin", "sales", "support", "finance"})
# TradeQL notes a key's use at most once a minute; the baseline pays the same write.
TOUCH_INTERVAL = timedelta(seconds=60)
# Currencies whose minor unit is not 2 decimals, among those the demo order book uses.
MINOR_UNITS = {"JPY": 0}

KEY = "select id, role, revoked_at, last_used_at from api_keys where key_hash = $1"
TOUCH = "update api_keys set last_used_at = $2 where id = $1"

ORDERS = """
select id, status, currency, total, client_company_id
from orders
order by created_at desc, id desc
limit $1"""

LINES = """
select order_id, sku, product_name, quantity, unit_price, line_total
from order_lines
where order_id = any($1::int[])
order by order_id, position, id"""

CLIENTS = "select id, name, country from client_companies where id = any($1::int[])"


class NotAllowed(Exception):
    """No key, an unknown or revoked one, or one whose role may not see every order."""


def _global_id(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode("ascii")


def _money(amount: Decimal, currency: str) -> dict[str, str]:
    places = Decimal(1).scaleb(-MINOR_UNITS.get(currency, 2))
    return {"amount": str(amount.quantize(places, rounding=ROUND_HALF_UP)), "currency": currency}


async def authorize(connection: asyncpg.Connection, authorization: str) -> int:
    """Statements sent to find the caller's key; raises NotAllowed."""
    scheme, _, key = authorization.partition(" ")
    if scheme.lower() != "bearer" or not key:
        raise NotAllowed
    row = await connection.fetchrow(KEY, hashlib.sha256(key.encode()).hexdigest())
    if row is None or row[2] is not None or row[1] not in READ_ALL_ROLES:
        raise NotAllowed
    now = datetime.now(UTC)
    if row[3] is None or now - row[3] > TOUCH_INTERVAL:
        await connection.execute(TOUCH, row[0], now)
        return 2
    return 1


async def staff_orders(connection: asyncpg.Connection, first: int) -> tuple[dict[str, Any], int]:
    """The newest orders with their lines and client: the answer's `data`, statements sent."""
    orders = await connection.fetch(ORDERS, first)
    ids = [row[0] for row in orders]
    lines = await connection.fetch(LINES, ids)
    clients = await connection.fetch(CLIENTS, sorted({row[4] for row in orders}))
    client_of = {row[0]: {"name": row[1], "country": row[2]} for row in clients}
    currency_of = {row[0]: row[2] for row in orders}
    lines_of: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for order_id, sku, product_name, quantity, unit_price, line_total in lines:
        currency = currency_of[order_id]
        lines_of[order_id].append(
            {
                "sku": sku,
                "productName": product_name,
                "quantity": quantity,
                "unitPrice": {"amount": str(unit_price), "currency": currency},
                "lineTotal": _money(line_total, currency),
            }
        )
    edges = [
        {
            "node": {
                "id": _global_id("Order", order_id),
                "number": f"SO-{order_id:06d}",
                "status": status.upper(),
                "currency": currency,
                "total": _money(total, currency),
                "client": client_of.get(client_id),
                "lines": lines_of[order_id],
            }
        }
        for order_id, status, currency, total, client_id in orders
    ]
    return {"orders": {"edges": edges}}, 3

"""What a placement costs in SQL round trips: a fixed few, plus one reservation per line.

Each line's stock is reserved by its own conditional UPDATE, in ascending variant id (one
statement over all lines could lock them in any order and deadlock with another order), so
a line costs one statement; nothing else grows with the order. A retry of a placed order
costs the lock on the client and the lookup of its key (and the answer's lines).
"""

from __future__ import annotations

from typing import Any

from core.db import Database
from core.settings import Settings
from tests.builders import make_variant
from tests.graphql_client import graphql_client
from tests.orders.builders import PLACE, make_shop, order_input

# Client lock, key lookup, variants, tiers, exposure, order, lines, event, audit; and the
# answer's `lines` (one batch). Same currency as the credit limit: no rate lookup. The
# workers' wake-up is a trigger on the event's insert, not a statement of its own. Issue 15
# added two, whatever the number of lines: the stock ledger's rows (one multi-row INSERT,
# after the order has its id) and the coalesced stock.changed events (one multi-row upsert).
# Issue 17 added one: the client's credit used, stored on its row (the exposure just checked
# plus the order, so no second aggregate).
FIXED = 13


async def test_a_placement_costs_a_fixed_few_statements_and_one_per_line(
    db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        shop = await make_shop(session, settings)
        extra = [
            await make_variant(
                session, product=shop.product, on_hand=1_000, prices={"USD": [(1, "3.00")]}
            )
            for _ in range(2)
        ]
    variants = [shop.variant, shop.other_variant, *extra]
    counted = settings.model_copy(update={"debug_extensions": True})
    statements: dict[str, int] = {}
    async with graphql_client(counted, db) as http:
        buyer = http.as_(shop.client_token)

        async def place(key: str, lines: int) -> dict[str, Any]:
            order = order_input([(variant, 10) for variant in variants[:lines]])
            body = await buyer.post_with_extensions(PLACE, {"input": order, "key": key})
            assert body["data"]["placeOrder"]["userErrors"] == []
            return body

        for lines in (1, 2, 4):
            body = await place(f"lines-{lines}", lines)
            statements[f"{lines} lines"] = body["extensions"]["sqlStatements"]
        replay = await place("lines-4", 4)
        statements["replay"] = replay["extensions"]["sqlStatements"]
    assert statements == {"1 lines": FIXED + 1, "2 lines": FIXED + 2, "4 lines": FIXED + 4,
                          "replay": 3}  # fmt: skip

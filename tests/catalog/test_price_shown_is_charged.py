"""The price a variant shows for a quantity is, to the minor unit, what an order of that
quantity charges: one rounding rule for both, on PostgreSQL and on SQLite."""

from __future__ import annotations

from core.db import Database
from core.global_id import encode_global_id
from core.settings import Settings
from tests.builders import make_variant
from tests.graphql_client import graphql_client
from tests.orders.builders import PLACE, make_rate, make_shop, order_input

PRICE = """query($id: ID!, $c: String!, $q: Int!) { node(id: $id) { ... on Variant {
  price(currency: $c, quantity: $q) { unitPrice total } } } }"""

# (currency, tiers, quantity, the line total an order charges): awkward on purpose, with
# four-decimal prices, halves at the rounding point and quantities up to the most a line takes.
CASES = [
    ("USD", [(1, "6.5550")], 1_000, "6555.00"),
    ("USD", [(1, "3.3333")], 3, "10.00"),
    ("USD", [(1, "2.0050")], 1, "2.01"),
    ("USD", [(1, "0.0050")], 1, "0.01"),
    ("USD", [(1, "0.1235")], 7, "0.86"),
    ("USD", [(1, "0.0001")], 10_000_000, "1000.00"),
    ("USD", [(1, "1.2345")], 9_999_999, "12344998.77"),
    ("USD", [(1, "10.0001"), (1_000, "6.5551"), (100_000, "0.0001")], 99_999, "655503.44"),
    ("JPY", [(1, "0.5000")], 3, "2"),
    ("JPY", [(1, "12.3456")], 1_001, "12358"),
    ("KWD", [(1, "1.0005")], 1, "1.001"),
    ("KWD", [(1, "0.3337")], 3, "1.001"),
]


async def test_the_total_shown_for_a_quantity_is_the_line_total_an_order_charges(
    any_db: Database, settings: Settings
) -> None:
    # given variants priced in three currencies of 2, 0 and 3 decimals, with stock for all
    async with any_db.transaction() as session:
        shop = await make_shop(session, settings, credit_limit="90000000000.00")
        await make_rate(session, "JPY", "USD", "0.0067")
        await make_rate(session, "KWD", "USD", "3.2500")
        variants = [
            await make_variant(
                session, product=shop.product, on_hand=10_000_000, prices={currency: tiers}
            )
            for currency, tiers, _, _ in CASES
        ]
    async with graphql_client(settings, any_db) as http:
        buyer = http.as_(shop.client_token)
        # when the buyer asks each variant's price for the quantity
        shown = [
            (
                await buyer.data(
                    PRICE,
                    {"id": encode_global_id("Variant", variant.id or 0), "c": currency, "q": q},
                )
            )["node"]["price"]["total"]
            for variant, (currency, _, q, _) in zip(variants, CASES, strict=True)
        ]
        # and orders those quantities, one order per currency
        charged = []
        for currency in ("USD", "JPY", "KWD"):
            lines = [
                (variant, q)
                for variant, (line_currency, _, q, _) in zip(variants, CASES, strict=True)
                if line_currency == currency
            ]
            placed = await buyer.data(
                PLACE, {"input": order_input(lines, currency=currency), "key": currency}
            )
            assert placed["placeOrder"]["userErrors"] == []
            charged += [
                line["lineTotal"]["amount"] for line in placed["placeOrder"]["order"]["lines"]
            ]
    # then each total shown is the line total charged, to the minor unit
    expected = [total for _, _, _, total in CASES]
    assert charged == expected
    assert shown == expected

"""`salesReport` and `marginReport` over GraphQL: every row equals the plain recomputation
of the same orders, rounded at the end; wrong arguments are refused naming them."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlmodel import select

from core.db import Database
from core.errors import BadUserInput
from core.global_id import encode_global_id
from core.settings import Settings
from models.accounts import Role
from models.catalog import Category, Product
from models.clients import ClientCompany
from models.money import round_money
from models.reports import SalesDimension, SalesMonth
from resolvers.reports.sales_rollups import rebuild_sales
from schema.counts import parse_big_int
from tests.callers import error_codes, token_for
from tests.graphql_client import GraphQLClient
from tests.reports.books import Figures, SalesKey, make_book, recomputed

SALES = """query($currency: String!, $from: String!, $to: String!, $by: SalesDimension!,
                 $first: Int) {
  salesReport(currency: $currency, fromMonth: $from, toMonth: $to, by: $by, first: $first) {
    currency fromMonth toMonth
    rows { key label orderCount quantity amount share }
    total { key label orderCount quantity amount share }
    unconverted { currency orderCount amount } } }"""

MARGIN = """query($currency: String!, $from: String!, $to: String!, $by: MarginDimension!) {
  marginReport(currency: $currency, fromMonth: $from, toMonth: $to, by: $by) {
    currency
    rows { key label costedRevenue cost margin marginPercent uncostedRevenue uncostedLines }
    total { key costedRevenue cost margin marginPercent uncostedRevenue uncostedLines } } }"""

Q1 = {"from": "2026-01", "to": "2026-03"}


async def _booked(db: Database, settings: Settings) -> tuple[str, dict[SalesKey, Figures]]:
    """The book, its rollups rebuilt, a finance user's token, and the recomputed rows."""
    async with db.transaction() as session:
        await make_book(session)
        await rebuild_sales(session, None, settings=settings)
        token = await token_for(session, settings, Role.FINANCE)
        expected, _ = await recomputed(session, settings)
    return token, expected


async def _names(db: Database) -> dict[str, dict[Any, Any]]:
    """Product, client and category names and each product's category, by rollup key."""
    async with db.transaction() as session:
        products = (
            await session.execute(select(Product.id, Product.name, Product.category_id))
        ).all()
        clients = (await session.execute(select(ClientCompany.id, ClientCompany.name))).all()
        categories = (await session.execute(select(Category.id, Category.name))).all()
    return {
        "product": {str(pk): name for pk, name, _ in products},
        "category_of": {str(pk): category for pk, _, category in products},
        "client": {str(pk): name for pk, name in clients},
        "category": {pk: name for pk, name in categories},
    }


def _summed(
    expected: dict[SalesKey, Figures], currency: str, dimension: str
) -> dict[str, list[Any]]:
    sums: dict[str, list[Any]] = defaultdict(lambda: [0, 0, Decimal(0)])
    for (month, target, kind, key), figures in expected.items():
        if target == currency and kind == dimension and date(2026, 1, 1) <= month:
            row = sums[key]
            row[0] += figures[0]
            row[1] += figures[1]
            row[2] += figures[2]
    return sums


def _share(amount: Decimal, total: Decimal) -> str:
    return str((amount * 100 / total).quantize(Decimal("0.01")))


@pytest.mark.parametrize("currency", ["USD", "EUR"])
@pytest.mark.parametrize("by", ["COUNTRY", "PRODUCT", "CLIENT"])
async def test_each_key_of_a_dimension_is_the_sum_of_its_orders(
    client: GraphQLClient, db: Database, settings: Settings, currency: str, by: str
) -> None:
    await _check_dimension(client, db, settings, currency, by)


async def test_the_report_reads_the_same_on_either_database(
    any_client: GraphQLClient, any_db: Database, settings: Settings
) -> None:
    await _check_dimension(any_client, any_db, settings, "EUR", "PRODUCT")


async def _check_dimension(
    client: GraphQLClient, db: Database, settings: Settings, currency: str, by: str
) -> None:
    """Every row of `by` and the total equal the recomputation, rounded at the end."""
    token, expected = await _booked(db, settings)
    names = await _names(db)
    data = await client.as_(token).data(SALES, {**Q1, "currency": currency, "by": by})
    report = data["salesReport"]
    total = _summed(expected, currency, "total")[""]
    total_amount = round_money(total[2], currency)
    assert report["total"] == {
        "key": "",
        "label": "Total",
        "orderCount": total[0],
        "quantity": str(total[1]),
        "amount": str(total_amount),
        "share": None,
    }
    sums = _summed(expected, currency, by.lower())
    ordered = sorted(sums.items(), key=lambda item: (-item[1][2], item[0]))
    type_name = {"PRODUCT": "Product", "CLIENT": "ClientCompany"}.get(by)
    assert report["rows"] == [
        {
            "key": key if type_name is None else encode_global_id(type_name, int(key)),
            "label": key if type_name is None else names[by.lower()][key],
            "orderCount": count,
            "quantity": str(quantity),
            "amount": str(round_money(amount, currency)),
            "share": _share(round_money(amount, currency), total_amount),
        }
        for key, (count, quantity, amount) in ordered
    ]
    # the yen order is named apart, in yen
    assert report["unconverted"] == [{"currency": "JPY", "orderCount": 1, "amount": "650000"}]
    assert (report["currency"], report["fromMonth"], report["toMonth"]) == (
        currency,
        "2026-01",
        "2026-03",
    )


async def test_by_month_lists_every_month_of_the_range_even_without_sales(
    client: GraphQLClient, db: Database, settings: Settings
) -> None:
    token, expected = await _booked(db, settings)
    data = await client.as_(token).data(
        SALES, {"from": "2025-12", "to": "2026-04", "currency": "USD", "by": "MONTH"}
    )
    months = {
        f"{month.year}-{month.month:02d}": figures
        for (month, target, kind, _), figures in expected.items()
        if target == "USD" and kind == "total"
    }
    rows = data["salesReport"]["rows"]
    assert [row["key"] for row in rows] == ["2025-12", "2026-01", "2026-02", "2026-03", "2026-04"]
    for row in rows:
        count, quantity, amount = months.get(row["key"], (0, 0, Decimal(0)))[:3]
        assert (row["orderCount"], row["quantity"], row["amount"]) == (
            count,
            str(quantity),
            str(round_money(Decimal(amount), "USD")),
        )


async def test_by_category_sums_the_products_of_each_category(
    client: GraphQLClient, db: Database, settings: Settings
) -> None:
    token, expected = await _booked(db, settings)
    names = await _names(db)
    data = await client.as_(token).data(SALES, {**Q1, "currency": "EUR", "by": "CATEGORY"})
    sums: dict[int, list[Any]] = defaultdict(lambda: [0, Decimal(0)])
    for key, (_, quantity, amount) in _summed(expected, "EUR", "product").items():
        category = names["category_of"][key]
        sums[category][0] += quantity
        sums[category][1] += amount
    ordered = sorted(sums.items(), key=lambda item: (-item[1][1], item[0]))
    assert [
        (row["key"], row["label"], row["orderCount"], row["quantity"], row["amount"])
        for row in data["salesReport"]["rows"]
    ] == [
        (
            encode_global_id("Category", pk),
            names["category"][pk],
            None,
            str(quantity),
            str(round_money(amount, "EUR")),
        )
        for pk, (quantity, amount) in ordered
    ]


async def test_top_clients_are_the_first_n_by_amount(
    client: GraphQLClient, db: Database, settings: Settings
) -> None:
    token, expected = await _booked(db, settings)
    data = await client.as_(token).data(
        SALES, {**Q1, "currency": "USD", "by": "CLIENT", "first": 1}
    )
    sums = _summed(expected, "USD", "client")
    top = max(sums, key=lambda key: sums[key][2])
    assert [row["key"] for row in data["salesReport"]["rows"]] == [
        encode_global_id("ClientCompany", int(top))
    ]


@pytest.mark.parametrize("by", ["PRODUCT", "CATEGORY"])
async def test_margins_come_only_from_lines_with_a_cost(
    client: GraphQLClient, db: Database, settings: Settings, by: str
) -> None:
    token, expected = await _booked(db, settings)
    names = await _names(db)
    data = await client.as_(token).data(MARGIN, {**Q1, "currency": "USD", "by": by})
    sums: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 4)
    totals = [Decimal(0)] * 4
    for (_, target, kind, key), figures in expected.items():
        if target != "USD" or kind != "product":
            continue
        group = key if by == "PRODUCT" else str(names["category_of"][key])
        parts = [figures[3], figures[4], figures[5], Decimal(figures[6])]
        sums[group] = [a + b for a, b in zip(sums[group], parts, strict=True)]
        totals = [a + b for a, b in zip(totals, parts, strict=True)]

    def shown(key: str, parts: list[Decimal]) -> dict[str, Any]:
        costed, cost = round_money(parts[0], "USD"), round_money(parts[1], "USD")
        margin = costed - cost
        return {
            "key": key,
            "costedRevenue": str(costed),
            "cost": str(cost),
            "margin": str(margin),
            "marginPercent": None if costed == 0 else _share(margin, costed),
            "uncostedRevenue": str(round_money(parts[2], "USD")),
            "uncostedLines": int(parts[3]),
        }

    type_name = "Product" if by == "PRODUCT" else "Category"
    ordered = sorted(
        sums.items(), key=lambda item: (-(item[1][0] - item[1][1]), -item[1][2], int(item[0]))
    )
    report = data["marginReport"]
    assert [{k: v for k, v in row.items() if k != "label"} for row in report["rows"]] == [
        shown(encode_global_id(type_name, int(key)), parts) for key, parts in ordered
    ]
    assert report["total"] == shown("", totals)


@pytest.mark.parametrize(
    ("variables", "argument"),
    [
        ({"currency": "GBP"}, "currency"),
        ({"from": "2026-13"}, "fromMonth"),
        ({"from": "March"}, "fromMonth"),
        ({"to": "2026-1"}, "toMonth"),
        ({"from": "2026-03", "to": "2026-01"}, "toMonth"),
        ({"from": "2010-01", "to": "2020-01"}, "toMonth"),
        ({"first": 0}, "first"),
        ({"first": 101}, "first"),
    ],
)
async def test_malformed_arguments_are_refused_naming_them(
    client: GraphQLClient,
    db: Database,
    settings: Settings,
    variables: dict[str, Any],
    argument: str,
) -> None:
    async with db.transaction() as session:
        token = await token_for(session, settings, Role.FINANCE)
    sent = {**Q1, "currency": "USD", "by": "CLIENT", **variables}
    body = await client.as_(token).post(SALES, sent)
    assert body["data"] == {"salesReport": None}
    assert error_codes(body) == [("salesReport", "BAD_USER_INPUT")]
    assert body["errors"][0]["extensions"]["argument"] == argument


async def test_rows_are_only_for_the_months_asked(
    client: GraphQLClient, db: Database, settings: Settings
) -> None:
    token, expected = await _booked(db, settings)
    data = await client.as_(token).data(
        SALES, {"from": "2026-03", "to": "2026-03", "currency": "USD", "by": "COUNTRY"}
    )
    march = {
        key: figures[0]
        for (month, target, kind, key), figures in expected.items()
        if month == date(2026, 3, 1) and target == "USD" and kind == "country"
    }
    assert {row["key"]: row["orderCount"] for row in data["salesReport"]["rows"]} == march


async def test_units_summed_past_32_bits_are_sent_exactly(
    client: GraphQLClient, db: Database, settings: Settings
) -> None:
    # given months whose units add up past GraphQL Int (as a million-order book's do)
    async with db.transaction() as session:
        token = await token_for(session, settings, Role.FINANCE)
        session.add_all(
            SalesMonth(
                reporting_currency="USD",
                dimension=SalesDimension.TOTAL,
                month=date(2026, month, 1),
                key="",
                order_count=100_000,
                quantity=2_800_000_001,
                amount=Decimal("1000000.00"),
                costed_amount=Decimal(0),
                cost_amount=Decimal(0),
                uncosted_amount=Decimal("1000000.00"),
                uncosted_lines=250_000,
            )
            for month in (1, 2)
        )
    # when the report sums them
    body = await client.as_(token).post(SALES, {**Q1, "currency": "USD", "by": "MONTH"})
    # then the units come as an exact string of digits, not an error
    assert error_codes(body) == []
    report = body["data"]["salesReport"]
    assert report["total"]["quantity"] == "5600000002"
    assert [row["quantity"] for row in report["rows"]] == ["2800000001", "2800000001", "0"]


@pytest.mark.parametrize(
    ("given", "parsed"), [("5600000002", 5_600_000_002), (" -7 ", -7), (42, 42)]
)
def test_a_big_int_reads_digits_exactly(given: object, parsed: int) -> None:
    assert parse_big_int(given) == parsed


@pytest.mark.parametrize("given", ["1e9", "12.5", "", "-", "--5", "٣", str(2**63), "0x10"])
def test_a_big_int_refuses_anything_but_digits_within_bigint(given: str) -> None:
    with pytest.raises(BadUserInput):
        parse_big_int(given)

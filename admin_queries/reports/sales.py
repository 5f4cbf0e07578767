"""The sales report (`salesReport`, `reports:read`): orders, quantity and amount by month,
destination country, category, product or client, in a reporting currency.

Read from the monthly rollups (models/reports.py), so its cost depends on the months and
keys asked for, never on the number of orders. Amounts are summed as the rollups hold them
(4 places) and rounded to the reporting currency's minor unit at the end. Orders that could
not be converted are listed apart, in their own currency.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, cast, func
from sqlmodel import col, select

from admin_queries.reports.report_scope import ReportScope, percent_of, reporting_currency
from core.global_id import encode_global_id
from core.request_session import RequestSession
from models.catalog import Category, Product
from models.clients import ClientCompany
from models.money import round_money
from models.reports import SalesDimension, SalesMonth, SalesUnconvertedMonth
from resolvers.context import Context
from resolvers.reports.periods import day_bounds, month_text
from resolvers.reports.sales_rollups import sales_placed_between


class SalesBy(StrEnum):
    MONTH = "month"
    COUNTRY = "country"
    CATEGORY = "category"
    PRODUCT = "product"
    CLIENT = "client"


@dataclass(frozen=True)
class SalesRow:
    """One row: `key` is a month (YYYY-MM), an ISO country code or a global id."""

    key: str
    label: str
    order_count: int | None  # None for a category: an order counts once per its products
    quantity: int
    amount: Decimal
    share: Decimal | None = None


@dataclass(frozen=True)
class UnconvertedSales:
    currency: str
    order_count: int
    amount: Decimal


@dataclass(frozen=True)
class SalesReport:
    scope: ReportScope
    by: SalesBy
    rows: list[SalesRow]
    total: SalesRow
    unconverted: list[UnconvertedSales]


def in_scope(scope: ReportScope, dimension: SalesDimension) -> list[ColumnElement[bool]]:
    """The rollup rows of the scope's currency and months, of one dimension."""
    return [
        col(SalesMonth.reporting_currency) == scope.currency,
        col(SalesMonth.dimension) == dimension,
        col(SalesMonth.month) >= scope.first_month,
        col(SalesMonth.month) <= scope.last_month,
    ]


async def sales_report(
    session: RequestSession, scope: ReportScope, by: SalesBy, first: int
) -> SalesReport:
    total = await sales_total(session, scope)
    if by == SalesBy.MONTH:
        rows = await _by_month(session, scope)
    elif by == SalesBy.CATEGORY:
        rows = await _by_category(session, scope, first)
    else:
        rows = await _by_key(session, scope, SalesDimension(by.value), first)
    shared = [
        SalesRow(
            row.key,
            row.label,
            row.order_count,
            row.quantity,
            row.amount,
            percent_of(row.amount, total.amount),
        )
        for row in rows
    ]
    unconverted = await unconverted_sales(session, scope)
    return SalesReport(scope, by, shared, total, unconverted)


async def sales_total(session: RequestSession, scope: ReportScope) -> SalesRow:
    """Orders, quantity and amount of the scope's months: what the home screen shows for
    this month (pass a scope of one month)."""
    figures = (await session.rows(select(*_sums()).where(*in_scope(scope, SalesDimension.TOTAL))))[
        0
    ]
    return SalesRow(
        key="",
        label="Total",
        order_count=int(figures[0] or 0),
        quantity=int(figures[1] or 0),
        amount=round_money(Decimal(figures[2] or 0), scope.currency),
    )


@dataclass(frozen=True)
class PeriodSales:
    """Sales placed in a day or a month: converted orders and their amount, and orders not
    converted (their currency had no rate into the reporting currency)."""

    order_count: int
    amount: Decimal
    unconverted_orders: int


async def sales_of_month(ctx: Context, currency: str, month: date) -> PeriodSales:
    """A month's sales from the rollups (two reads of a few rows): the home screen's."""
    scope = ReportScope(reporting_currency(ctx.settings, currency), [month])
    total = await sales_total(ctx.session, scope)
    apart = await unconverted_sales(ctx.session, scope)
    return PeriodSales(
        total.order_count or 0, total.amount, sum(unconverted.order_count for unconverted in apart)
    )


async def sales_of_day(ctx: Context, currency: str, day: date) -> PeriodSales:
    """One local day's sales, from the orders with the rollups' conversion rule: the home
    screen's "today" (a day is too short for the monthly rollups)."""
    code = reporting_currency(ctx.settings, currency)
    start, end = day_bounds(day, ctx.settings.reporting_zone)
    placed = await ctx.session.run(
        lambda session: sales_placed_between(session, start, end, settings=ctx.settings)
    )
    figures = placed[code]
    return PeriodSales(
        figures.order_count, round_money(figures.amount, code), figures.unconverted_orders
    )


async def unconverted_sales(session: RequestSession, scope: ReportScope) -> list[UnconvertedSales]:
    """Orders of the scope's months not converted into its currency, per their currency."""
    apart = SalesUnconvertedMonth
    found = await session.rows(
        select(col(apart.order_currency), func.sum(apart.order_count), func.sum(apart.amount))
        .where(
            col(apart.reporting_currency) == scope.currency,
            col(apart.month) >= scope.first_month,
            col(apart.month) <= scope.last_month,
        )
        .group_by(col(apart.order_currency))
        .having(func.sum(apart.order_count) > 0)
        .order_by(col(apart.order_currency))
    )
    return [
        UnconvertedSales(currency, int(count), round_money(Decimal(amount), currency))
        for currency, count, amount in found
    ]


def _sums() -> tuple[Any, Any, Any]:
    return (
        func.sum(SalesMonth.order_count),
        func.sum(SalesMonth.quantity),
        func.sum(SalesMonth.amount),
    )


async def _by_month(session: RequestSession, scope: ReportScope) -> list[SalesRow]:
    """Every month of the range in order, a month without sales included as zero."""
    found = await session.rows(
        select(col(SalesMonth.month), *_sums())
        .where(*in_scope(scope, SalesDimension.TOTAL))
        .group_by(col(SalesMonth.month))
    )
    figures: dict[date, Sequence[Any]] = {row[0]: row[1:] for row in found}
    rows = []
    for month in scope.months:
        count, quantity, amount = figures.get(month, (0, 0, 0))
        rows.append(
            SalesRow(
                key=month_text(month),
                label=month_text(month),
                order_count=int(count),
                quantity=int(quantity),
                amount=round_money(Decimal(amount), scope.currency),
            )
        )
    return rows


async def _by_key(
    session: RequestSession, scope: ReportScope, dimension: SalesDimension, first: int
) -> list[SalesRow]:
    """The keys of one dimension with the most sales, most first."""
    count, quantity, amount = _sums()
    found = await session.rows(
        select(col(SalesMonth.key), count, quantity, amount)
        .where(*in_scope(scope, dimension))
        .group_by(col(SalesMonth.key))
        .having(count > 0)
        .order_by(amount.desc(), col(SalesMonth.key))
        .limit(first)
    )
    labels = await _labels(session, dimension, [row[0] for row in found])
    return [
        SalesRow(
            key=_global_key(dimension, key),
            label=labels.get(key, key),
            order_count=int(orders),
            quantity=int(units),
            amount=round_money(Decimal(value), scope.currency),
        )
        for key, orders, units, value in found
    ]


async def _by_category(session: RequestSession, scope: ReportScope, first: int) -> list[SalesRow]:
    """Product rows summed by each product's category as it is now."""
    _, quantity, amount = _sums()
    product_id = cast(col(SalesMonth.key), BigInteger)
    found = await session.rows(
        select(col(Category.id), col(Category.name), quantity, amount)
        .select_from(SalesMonth)
        .join(Product, col(Product.id) == product_id)
        .join(Category, col(Category.id) == col(Product.category_id))
        .where(*in_scope(scope, SalesDimension.PRODUCT))
        .group_by(col(Category.id), col(Category.name))
        .having(func.sum(SalesMonth.order_count) > 0)
        .order_by(amount.desc(), col(Category.id))
        .limit(first)
    )
    return [
        SalesRow(
            key=encode_global_id("Category", pk),
            label=name,
            order_count=None,
            quantity=int(units),
            amount=round_money(Decimal(value), scope.currency),
        )
        for pk, name, units, value in found
    ]


async def _labels(
    session: RequestSession, dimension: SalesDimension, keys: Sequence[str]
) -> dict[str, str]:
    """Names for a page of keys: products and clients by name, countries by their code."""
    table: type[Product] | type[ClientCompany]
    if dimension == SalesDimension.PRODUCT:
        table = Product
    elif dimension == SalesDimension.CLIENT:
        table = ClientCompany
    else:
        return {}
    ids = [int(key) for key in keys]
    found = await session.rows(select(col(table.id), col(table.name)).where(col(table.id).in_(ids)))
    return {str(pk): name for pk, name in found}


def _global_key(dimension: SalesDimension, key: str) -> str:
    if dimension == SalesDimension.PRODUCT:
        return encode_global_id("Product", int(key))
    if dimension == SalesDimension.CLIENT:
        return encode_global_id("ClientCompany", int(key))
    return key

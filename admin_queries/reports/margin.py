"""The margin report (`marginReport`, `catalog:read_cost`): revenue, cost and margin by
product or category, in a reporting currency.

Only lines that carry the cost snapshotted when they were ordered have a margin; the rest
(lines ordered before cost snapshots, variants without a cost, or a cost in a currency with
no rate then) are shown as revenue and lines "without cost", never priced at today's cost.
Read from the product rows of the monthly rollups; a category sums its products as they are
classified now.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, cast, func, select
from sqlmodel import col

from admin_queries.reports.report_scope import ReportScope, percent_of
from admin_queries.reports.sales import in_scope
from core.global_id import encode_global_id
from core.request_session import RequestSession
from models.catalog import Category, Product
from models.money import round_money
from models.reports import SalesDimension, SalesMonth


class MarginBy(StrEnum):
    PRODUCT = "product"
    CATEGORY = "category"


@dataclass(frozen=True)
class MarginRow:
    """`key` is the product's or category's global id; '' for the total."""

    key: str
    label: str
    costed_revenue: Decimal
    cost: Decimal
    uncosted_revenue: Decimal
    uncosted_lines: int

    @property
    def margin(self) -> Decimal:
        return self.costed_revenue - self.cost

    @property
    def margin_percent(self) -> Decimal | None:
        """Margin as a percentage of the revenue that has a cost; None without such revenue."""
        return percent_of(self.margin, self.costed_revenue)


@dataclass(frozen=True)
class MarginReport:
    scope: ReportScope
    by: MarginBy
    rows: list[MarginRow]
    total: MarginRow


def _parts() -> tuple[Any, Any, Any, Any]:
    return (
        func.sum(SalesMonth.costed_amount),
        func.sum(SalesMonth.cost_amount),
        func.sum(SalesMonth.uncosted_amount),
        func.sum(SalesMonth.uncosted_lines),
    )


async def margin_report(
    session: RequestSession, scope: ReportScope, by: MarginBy, first: int
) -> MarginReport:
    """Rows with the largest margin first (then the most revenue without cost)."""
    costed, cost, uncosted, lines = _parts()
    key: Any
    label: Any
    if by == MarginBy.PRODUCT:
        key, label, kind = col(Product.id), col(Product.name), "Product"
    else:
        key, label, kind = col(Category.id), col(Category.name), "Category"
    statement = (
        select(key, label, costed, cost, uncosted, lines)
        .select_from(SalesMonth)
        .join(Product, col(Product.id) == cast(col(SalesMonth.key), BigInteger))
        .where(*in_scope(scope, SalesDimension.PRODUCT))
        .group_by(key, label)
        .having(func.sum(SalesMonth.order_count) > 0)
        .order_by((costed - cost).desc(), uncosted.desc(), key)
        .limit(first)
    )
    if by == MarginBy.CATEGORY:
        statement = statement.join(Category, col(Category.id) == col(Product.category_id))
    found = await session.rows(statement)
    rows = [_row(scope, encode_global_id(kind, row[0]), row[1], row) for row in found]
    totals = (await session.rows(select(*_parts()).where(*in_scope(scope, SalesDimension.TOTAL))))[
        0
    ]
    return MarginReport(scope, by, rows, _row(scope, "", "Total", totals))


def _row(scope: ReportScope, key: str, label: str, figures: Sequence[Any]) -> MarginRow:
    costed, cost, uncosted, lines = figures[-4:]
    return MarginRow(
        key=key,
        label=label,
        costed_revenue=round_money(Decimal(costed or 0), scope.currency),
        cost=round_money(Decimal(cost or 0), scope.currency),
        uncosted_revenue=round_money(Decimal(uncosted or 0), scope.currency),
        uncosted_lines=int(lines or 0),
    )

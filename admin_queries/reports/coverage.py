"""Stock coverage: per variant, stock on hand against the demand of open orders and quotes.

Placing an order reserves its quantities (`stock_reserved`), and placement refuses what stock
cannot cover, so reserved can never exceed on hand: open orders alone never show a shortfall.
The demand that can is what sales have promised but not yet sold: the lines of open quotes
still valid (the latest OPEN revision, `valid_until` today or later, UTC, as accepting a quote
counts it), each of which may become an order at any moment. So

    demand = reserved (open orders) + quoted (open, valid quotes)
    coverage = on hand - demand; short when demand > on hand (coverage < 0)

Listed least covered first (the largest shortfall first), then by variant id, a keyset page at
a time. One statement a page: the variants joined to the quoted quantities, which come from
the open valid quotes (the quotes' status and validity index) and their lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Row, Select, cast, func, select
from sqlalchemy.sql import Subquery
from sqlmodel import col

from models.catalog import Variant
from models.inquiries import Quote, QuoteLine, QuoteStatus
from resolvers.context import Context
from resolvers.keyset import KeyKind, KeysetOrder, SortKey
from resolvers.pagination import Page, check_page_size


@dataclass(frozen=True)
class VariantCoverage:
    variant: Variant
    on_hand: int
    reserved: int
    quoted: int

    @property
    def demand(self) -> int:
        return self.reserved + self.quoted

    @property
    def coverage(self) -> int:
        return self.on_hand - self.demand


def _quoted(today: date) -> Subquery:
    """Units of each variant on the lines of open quotes valid `today`."""
    return (
        select(
            col(QuoteLine.variant_id).label("variant_id"),
            cast(func.sum(col(QuoteLine.quantity)), BigInteger).label("quantity"),
        )
        .join(Quote, col(Quote.id) == col(QuoteLine.quote_id))
        .where(col(Quote.status) == QuoteStatus.OPEN, col(Quote.valid_until) >= today)
        .group_by(col(QuoteLine.variant_id))
        .subquery("quoted")
    )


@dataclass(frozen=True)
class _Coverage:
    """The variants joined to their quoted units, and the figures as SQL expressions."""

    quoted: Subquery
    quantity: ColumnElement[int]
    coverage: ColumnElement[int]

    def select(self, *columns: Any) -> Select[Any]:
        """`columns` of the variants (the first column names them) with their quoted units."""
        return select(*columns).outerjoin(self.quoted, self.quoted.c.variant_id == col(Variant.id))

    async def count(self, ctx: Context, conditions: list[ColumnElement[bool]]) -> int:
        listed = self.select(col(Variant.id)).where(*conditions).subquery("listed")
        return int(await ctx.session.scalar(select(func.count()).select_from(listed)) or 0)


def _coverage(today: date) -> _Coverage:
    quoted = _quoted(today)
    quantity = func.coalesce(quoted.c.quantity, 0)
    coverage = col(Variant.stock_on_hand) - col(Variant.stock_reserved) - quantity
    return _Coverage(quoted, quantity, coverage)


async def stock_coverage(
    ctx: Context,
    *,
    first: int,
    after: str | None,
    short_only: bool,
    today: date | None = None,
) -> Page[VariantCoverage]:
    """Variants least covered first (only those short when `short_only`), a page at a time."""
    check_page_size(first)
    figures = _coverage(today or datetime.now(UTC).date())
    order = KeysetOrder(
        "stock_coverage",
        (SortKey(figures.coverage, KeyKind.INT), SortKey(col(Variant.id), KeyKind.INT)),
    )
    conditions = [figures.coverage < 0] if short_only else []
    statement = figures.select(Variant, figures.quantity).where(*conditions)
    if after is not None:
        statement = statement.where(order.after(after))
    found = await ctx.session.rows(statement.order_by(*order.order_by()).limit(first + 1))
    page = [_coverage_of(row) for row in found[:first]]

    async def total_count() -> int:
        return await figures.count(ctx, conditions)

    return Page(
        rows=page,
        cursors=[order.cursor((row.coverage, row.variant.id)) for row in page],
        has_next_page=len(found) > first,
        has_previous_page=after is not None,
        total_count=total_count,
    )


def _coverage_of(row: Row[*tuple[Any, ...]]) -> VariantCoverage:
    variant, quoted = row[0], row[1]
    return VariantCoverage(
        variant=variant,
        on_hand=variant.stock_on_hand,
        reserved=variant.stock_reserved,
        quoted=int(quoted),
    )


async def count_short_variants(ctx: Context, *, today: date | None = None) -> int:
    """Home screen: how many variants open orders and open valid quotes ask more of than is
    on hand. One statement."""
    figures = _coverage(today or datetime.now(UTC).date())
    return await figures.count(ctx, [figures.coverage < 0])

"""Orders of the product listing, each a keyset over an index, with cursors that carry its key.

NAME, NEWEST, PRICE_ASC / PRICE_DESC and RELEVANCE; every key ends in the product id, so the
order is total, and a cursor replayed under another order is a BAD_USER_INPUT on `after`.
Which index serves each order is in docs/design/catalog-discovery.md ("Sort orders").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import ColumnElement, FromClause, Select, and_, func, select

from core.dialect import search_match, search_relevance
from core.errors import BadUserInput
from models.base import metadata
from models.catalog import Product
from models.catalog.discovery import product_prices, product_search
from resolvers.catalog.pricing import check_currency
from resolvers.keyset import after_key
from resolvers.newest_first import NewestFirst
from resolvers.pagination import decode_cursor, encode_cursor, not_a_cursor


class ProductSort(StrEnum):
    NAME = "name"
    NEWEST = "newest"
    PRICE_ASC = "price_asc"
    PRICE_DESC = "price_desc"
    RELEVANCE = "relevance"


Row = Sequence[Any]  # (product, *extra columns): `listed_products` splits a page statement's rows


@dataclass(frozen=True)
class SortPlan:
    """How to order, page and cursor one listing."""

    cursor_tag: str
    keys: tuple[ColumnElement[Any], ...]
    descending: tuple[bool, ...]
    cursor_types: tuple[type, ...]
    cursor_key: Callable[[Row], list[Any]]
    sql_values: Callable[[list[Any]], list[Any]] = list
    extra_columns: tuple[ColumnElement[Any], ...] = ()
    join: tuple[FromClause, ColumnElement[bool]] | None = None
    # The search condition on `product_search` when the join applies it (relevance): the page
    # then leaves out the filter's separate search condition and, as search rows exist for
    # visible products only, the visibility; with nothing else to check it can read the
    # search rows alone (`catalog.listing_page`). The count leaves out the join.
    search_match: ColumnElement[bool] | None = None

    @property
    def join_is_search(self) -> bool:
        return self.search_match is not None

    def cursor(self, row: Row) -> str:
        return encode_cursor(self.cursor_tag, self.cursor_key(row))

    def after(self, cursor: str) -> ColumnElement[bool]:
        """Rows strictly after the row the cursor was made from, in this order."""
        values = decode_cursor(cursor, self.cursor_tag, self.cursor_types)
        try:
            bounds = self.sql_values(values)
        except (ValueError, InvalidOperation):
            raise not_a_cursor() from None
        return after_key(self.keys, self.descending, bounds)

    def with_join(self, statement: Select[Any]) -> Select[Any]:
        return statement if self.join is None else statement.join(*self.join)

    def order_by(self) -> list[ColumnElement[Any]]:
        return [
            key.desc() if desc else key.asc()
            for key, desc in zip(self.keys, self.descending, strict=True)
        ]


def sort_plan(sort: ProductSort, *, currency: str | None, search_words: Sequence[str]) -> SortPlan:
    """The plan for `sort`; price needs a currency and relevance a search."""
    products = metadata.tables["products"]
    product_id = products.c.id
    if sort is ProductSort.NAME:
        return name_plan(products.c.name, product_id)
    if sort is ProductSort.NEWEST:
        newest = NewestFirst("newest", created_at=products.c.created_at, id=product_id)
        return SortPlan(
            cursor_tag=newest.tag,
            keys=newest.keys(),
            descending=(True, True),
            cursor_types=(str, int),
            cursor_key=lambda row: [row[0].created_at.isoformat(), row[0].id],
            sql_values=newest.bounds,
        )
    if sort is ProductSort.RELEVANCE:
        if not search_words:
            raise BadUserInput("RELEVANCE needs filter.search", argument="sortBy")
        relevance = search_relevance(search_words).label("relevance")
        match = search_match(search_words)
        searched = product_search.c
        return SortPlan(
            cursor_tag="relevance",
            keys=(relevance, searched.name, searched.product_id),
            descending=(True, False, False),
            cursor_types=(float, str, int),
            cursor_key=lambda row: [row[1], row[0].name, row[0].id],
            extra_columns=(relevance,),
            join=(product_search, and_(searched.product_id == product_id, match)),
            search_match=match,
        )
    if currency is None:
        raise BadUserInput(
            "is required to sort by price (or give filter.price.currency)",
            argument="sortCurrency",
        )
    check_currency(currency, argument="sortCurrency")
    prices = product_prices.c
    descending = sort is ProductSort.PRICE_DESC
    return SortPlan(
        cursor_tag=f"{sort.value}:{currency}",
        keys=(prices.from_price, prices.product_id),
        descending=(descending, descending),
        cursor_types=(str, int),
        cursor_key=lambda row: [str(row[1]), row[0].id],
        sql_values=lambda v: [_finite_decimal(v[0]), v[1]],
        extra_columns=(prices.from_price,),
        join=(
            product_prices,
            and_(prices.product_id == product_id, prices.currency == currency),
        ),
    )


def name_plan(name: ColumnElement[str], product_id: ColumnElement[int]) -> SortPlan:
    """By name, on these columns: the product's, or a copy in rows that list products (spec
    rows); the cursors are the same either way."""
    return SortPlan(
        cursor_tag="name",
        keys=(name, product_id),
        descending=(False, False),
        cursor_types=(str, int),
        cursor_key=lambda row: [row[0].name, row[0].id],
    )


def page_statement(
    plan: SortPlan,
    conditions: Sequence[ColumnElement[bool]],
    *,
    after: str | None,
    first: int,
    total: bool = False,
    page_ids: ColumnElement[int] | None = None,
) -> Select[Any]:
    """One page (and one row more, to tell whether another page follows); with `total`, each
    row ends with the number of rows the conditions match, counted before the limit.

    The conditions and the plan's keys are on `products`, or, with `page_ids`, on the table of
    that column, one row per listed product (`catalog.listing_page` chooses).

    Two steps: the page's ids are chosen from the sort keys alone, which indexes hold (the
    name and the checks of a match are in `ix_products_id_discovery`), and only the page's
    products are then read whole; a filter or search with thousands of matches sorts them
    without fetching thousands of product rows.
    """
    products = metadata.tables["products"]
    keys = [key.label(f"sort_{n}") for n, key in enumerate(plan.keys)]
    if page_ids is not None:
        chosen = select(page_ids.label("page_id"), *keys).where(*conditions)
    else:
        chosen = plan.with_join(
            select(products.c.id.label("page_id"), *keys).select_from(products)
        ).where(*conditions)
    if after is not None:
        chosen = chosen.where(plan.after(after))
    totals: list[ColumnElement[int]] = []
    if total:
        chosen, totals = _counted(chosen)
        order_by = _ordered(chosen.selected_columns, keys, plan.descending)
    else:
        order_by = plan.order_by()
    page = chosen.order_by(*order_by).limit(first + 1).subquery("page")
    # Extra columns are sort keys (relevance, from-price): read back from the page.
    extras = [
        page.c[f"sort_{_index_of(column, plan.keys)}"].label(column.name)
        for column in plan.extra_columns
    ]
    return (
        select(*products.c, *extras, *(page.c[column.name] for column in totals))
        .join(page, page.c.page_id == products.c.id)
        .order_by(*_ordered(page.c, keys, plan.descending))
    )


def listed_products(rows: Sequence[Any]) -> list[tuple[Product, Row]]:
    """Each row of a page statement as its product (the row, read by the products' column
    names, as `RequestSession` reads a model) and the `(product, *extras)` its cursor reads."""
    width = len(metadata.tables["products"].c)
    return [(cast(Product, row), (row, *row[width:])) for row in rows]


def _counted(chosen: Select[Any]) -> tuple[Select[Any], list[ColumnElement[int]]]:
    """`chosen`'s rows, each with the number of them.

    The count runs over the finished sort keys. In the statement that computes them, the
    window would store each scanned row whole before counting (a search row with its
    vector) and only then rank it; `OFFSET 0` keeps PostgreSQL from merging the two."""
    matched = chosen.offset(0).subquery("matched")
    total = func.count().over().label("total")
    return select(*matched.c, total), [total]


def _ordered(
    columns: Any, keys: Sequence[ColumnElement[Any]], descending: Sequence[bool]
) -> list[ColumnElement[Any]]:
    """The order of `keys` on the columns of the same names in `columns`."""
    return [
        columns[key.name].desc() if desc else columns[key.name].asc()
        for key, desc in zip(keys, descending, strict=True)
    ]


def _index_of(column: ColumnElement[Any], keys: Sequence[ColumnElement[Any]]) -> int:
    return next(n for n, key in enumerate(keys) if key is column)


def count_statement(plan: SortPlan, conditions: Sequence[ColumnElement[bool]]) -> Select[Any]:
    """Products the listing holds; a join that only ranks (relevance) is left out."""
    statement = select(func.count()).select_from(Product)
    if not plan.join_is_search:
        statement = plan.with_join(statement)
    return statement.where(*conditions)


def _finite_decimal(text: str) -> Decimal:
    value = Decimal(text)
    if not value.is_finite():
        raise ValueError(text)
    return value

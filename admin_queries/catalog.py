"""Staff reads of the catalog: products in every status, one product, a variant's stock ledger.

Only fields gated by `catalog:read_internal` reach these; the storefront's reads and their
visibility rule (active products only) are in `resolvers/catalog/` and stay untouched.

A listing page is one statement whatever its size: the products with their variants' stock
totals and count (correlated subqueries, evaluated for the page's rows only; the stock
orders read one grouped pass over the variants instead, as they must rank every product).
Search is a case-insensitive prefix of a variant's SKU or of the product's name, each found
through its own `lower(...) text_pattern_ops` index (migration 0017): the storefront's
search rows hold active products only, so they cannot find a draft.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import BigInteger, ColumnElement, Select, exists, func, tuple_, union
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from core.dialect import timestamp_key, timestamp_value
from core.errors import BadUserInput
from core.global_id import decode_typed_id
from loaders import catalog as relations
from models.accounts import ApiKey, Role, User
from models.catalog import Category, PriceTier, Product, ProductStatus, Variant
from models.catalog.stock import StockMovement
from resolvers.catalog.pricing import check_currency
from resolvers.context import Context
from resolvers.newest_first import NewestFirst
from resolvers.pagination import Page, check_page_size, decode_cursor, encode_cursor, not_a_cursor
from resolvers.prefix_search import starts_with

MAX_SEARCH_LENGTH = 64  # the longest SKU; no name prefix longer than a SKU is needed to pick one
MAX_STOCK_THRESHOLD = 2**31 - 1
INT_KEYS = 2**31  # products and variants have 32-bit keys
BIG_KEYS = 2**63  # stock sums and ledger rows are 64-bit


class StaffProductSort(StrEnum):
    NAME = "name"  # by name, A to Z
    UPDATED = "updated"  # most recently changed first
    STOCK_ASC = "stock_asc"  # least stock on hand (all variants together) first
    STOCK_DESC = "stock_desc"  # most stock on hand first


@dataclass(frozen=True)
class StaffProductFilter:
    """Products matching every condition given."""

    statuses: Sequence[ProductStatus] | None = None
    product_type_id: str | None = None  # a global id
    category_id: str | None = None  # a global id
    include_subcategories: bool = True
    stock_below: int | None = None  # some variant has less on hand than this
    no_price_in: str | None = None  # some variant has no tier in this currency
    updated_since: datetime | None = None


@dataclass(frozen=True)
class StaffProduct:
    """A product with what a staff list row shows besides its own columns."""

    product: Product
    stock_on_hand: int
    stock_reserved: int
    variant_count: int


@dataclass(frozen=True)
class MovementActor:
    """Who made a movement; `name` is a staff user's email or an API key's name, never a
    client user's address (that is the client's personal data, behind `clients:read_pii`)."""

    user_id: int | None
    api_key_id: int | None
    is_client_user: bool
    name: str | None


@dataclass(frozen=True)
class StockMovementRow:
    movement: StockMovement
    actor: MovementActor


def _id_in_range(pk: Any, limit: int) -> int:
    if not -limit <= pk < limit:
        raise not_a_cursor()
    return cast(int, pk)


class _Totals:
    """A product's variant figures, as correlated subqueries or a grouped pass."""

    def __init__(self, *, grouped: bool) -> None:
        figures = [
            func.coalesce(func.sum(col(Variant.stock_on_hand)), 0),
            func.coalesce(func.sum(col(Variant.stock_reserved)), 0),
            func.count(col(Variant.id)),
        ]
        columns: list[ColumnElement[Any]]
        self.grouped = None
        if grouped:
            self.grouped = (
                select(col(Variant.product_id).label("product_id"), *figures)
                .group_by(col(Variant.product_id))
                .subquery("variant_totals")
            )
            columns = [func.coalesce(column, 0) for column in list(self.grouped.c)[1:]]
        else:
            mine = col(Variant.product_id) == col(Product.id)
            columns = [select(figure).where(mine).scalar_subquery() for figure in figures]
        # PostgreSQL sums bigints as numeric: back to integers, for rows and cursors alike.
        self.columns: list[ColumnElement[int]] = [
            sql_cast(column, BigInteger) for column in columns
        ]

    def select_products(self) -> Select[Any]:
        statement = select(Product, *self.columns)
        if self.grouped is not None:
            statement = statement.outerjoin(
                self.grouped, self.grouped.c.product_id == col(Product.id)
            )
        return statement

    @property
    def on_hand(self) -> ColumnElement[int]:
        return self.columns[0]


PRODUCT_NAME = cast(ColumnElement[str], col(Product.name))
PRODUCT_ID = cast(ColumnElement[int], col(Product.id))
UPDATED = NewestFirst(
    "catalog_updated",
    created_at=cast(ColumnElement[datetime], col(Product.updated_at)),
    id=PRODUCT_ID,
)


@dataclass(frozen=True)
class _Order:
    """One listing order: its sort keys, their direction, and its cursors."""

    sort: StaffProductSort
    totals: _Totals

    def keys(self) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
        if self.sort is StaffProductSort.NAME:
            return PRODUCT_NAME, PRODUCT_ID
        if self.sort is StaffProductSort.UPDATED:
            return UPDATED.keys()
        return self.totals.on_hand, PRODUCT_ID

    @property
    def descending(self) -> bool:
        return self.sort in (StaffProductSort.UPDATED, StaffProductSort.STOCK_DESC)

    def order_by(self) -> list[ColumnElement[Any]]:
        return [key.desc() if self.descending else key.asc() for key in self.keys()]

    def after(self, cursor: str) -> ColumnElement[bool]:
        tag = f"catalog_{self.sort.value}"
        if self.sort is StaffProductSort.UPDATED:
            bounds: list[Any] = UPDATED.bounds(decode_cursor(cursor, tag, (str, int)))
        else:
            first = str if self.sort is StaffProductSort.NAME else int
            value, pk = decode_cursor(cursor, tag, (first, int))
            if first is int:
                _id_in_range(value, BIG_KEYS)
            bounds = [value, _id_in_range(pk, INT_KEYS)]
        keys = tuple_(*self.keys())
        return keys < tuple_(*bounds) if self.descending else keys > tuple_(*bounds)

    def cursor(self, row: StaffProduct) -> str:
        product = row.product
        assert product.updated_at is not None
        value: Any = {
            StaffProductSort.NAME: product.name,
            StaffProductSort.UPDATED: product.updated_at.isoformat(),
        }.get(self.sort, row.stock_on_hand)
        return encode_cursor(f"catalog_{self.sort.value}", [value, product.id])


def _search_condition(search: str) -> ColumnElement[bool]:
    """Products one of whose SKUs, or whose name, starts with `search` (any case)."""
    if len(search) > MAX_SEARCH_LENGTH:
        raise BadUserInput(f"must be at most {MAX_SEARCH_LENGTH} characters", argument="search")
    by_sku = select(col(Variant.product_id)).where(starts_with(col(Variant.sku), search))
    named = aliased(Product)
    by_name = select(col(named.id)).where(starts_with(col(named.name), search))
    return col(Product.id).in_(union(by_sku, by_name))


def _category_ids(category_id: int, *, with_descendants: bool) -> Any:
    root = select(col(Category.id)).where(col(Category.id) == category_id)
    if not with_descendants:
        return root
    subtree = root.cte("staff_category_subtree", recursive=True)
    child = aliased(Category)
    subtree = subtree.union_all(select(col(child.id)).where(col(child.parent_id) == subtree.c.id))
    return select(subtree.c.id)


def _filter_conditions(given: StaffProductFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if given.statuses is not None:
        if not given.statuses:
            raise BadUserInput("takes at least one status", argument="filter.status")
        conditions.append(col(Product.status).in_([status.value for status in given.statuses]))
    if given.product_type_id is not None:
        type_id = decode_typed_id(
            given.product_type_id, "ProductType", argument="filter.productType"
        )
        conditions.append(col(Product.product_type_id) == type_id)
    if given.category_id is not None:
        category_id = decode_typed_id(given.category_id, "Category", argument="filter.category")
        subtree = _category_ids(category_id, with_descendants=given.include_subcategories)
        conditions.append(col(Product.category_id).in_(subtree))
    if given.stock_below is not None:
        if not 1 <= given.stock_below <= MAX_STOCK_THRESHOLD:
            raise BadUserInput(
                f"must be between 1 and {MAX_STOCK_THRESHOLD}", argument="filter.stockBelow"
            )
        low = select(col(Variant.product_id)).where(col(Variant.stock_on_hand) < given.stock_below)
        conditions.append(col(Product.id).in_(low))
    if given.no_price_in is not None:
        currency = check_currency(given.no_price_in, argument="filter.noPriceIn")
        priced = exists().where(
            col(PriceTier.variant_id) == col(Variant.id), col(PriceTier.currency) == currency
        )
        unpriced = select(col(Variant.product_id)).where(~priced)
        conditions.append(col(Product.id).in_(unpriced))
    if given.updated_since is not None:
        since = timestamp_value(given.updated_since)
        conditions.append(timestamp_key(UPDATED.created_at) >= since)
    return conditions


def _staff_products(rows: Sequence[Any]) -> list[StaffProduct]:
    return [StaffProduct(row[0], int(row[1]), int(row[2]), int(row[3])) for row in rows]


async def list_catalog_products(
    ctx: Context,
    *,
    first: int,
    after: str | None,
    search: str | None,
    product_filter: StaffProductFilter,
    sort: StaffProductSort,
) -> Page[StaffProduct]:
    """Products of every status matching the search and filter, a keyset page in `sort`."""
    check_page_size(first)
    conditions = _filter_conditions(product_filter)
    if search is not None and search.strip():
        conditions.append(_search_condition(search.strip()))
    is_by_stock = sort in (StaffProductSort.STOCK_ASC, StaffProductSort.STOCK_DESC)
    order = _Order(sort, _Totals(grouped=is_by_stock))
    page = order.totals.select_products().where(*conditions)
    if after is not None:
        page = page.where(order.after(after))
    found = _staff_products(
        await ctx.session.rows(page.order_by(*order.order_by()).limit(first + 1))
    )
    rows = found[:first]
    for row in rows:
        ctx.loaders.prime(relations.PRODUCT_BY_ID, row.product.id, row.product)

    async def total_count() -> int:
        count = select(func.count()).select_from(Product).where(*conditions)
        return int(await ctx.session.scalar(count) or 0)

    return Page(
        rows=rows,
        cursors=[order.cursor(row) for row in rows],
        has_next_page=len(found) > first,
        has_previous_page=after is not None,
        total_count=total_count,
    )


async def catalog_product(ctx: Context, product_id: str) -> StaffProduct | None:
    """A product in any status by its global id; None if there is none."""
    pk = decode_typed_id(product_id, "Product", argument="id")
    statement = _Totals(grouped=False).select_products().where(col(Product.id) == pk)
    found = _staff_products(await ctx.session.rows(statement))
    return found[0] if found else None


LEDGER_TAG = "stock_movements"


async def variant_stock_movements(
    ctx: Context, *, variant_id: str, first: int, after: str | None
) -> Page[StockMovementRow] | None:
    """A variant's stock movements, newest first (by id, the order they were written in);
    None when the variant does not exist."""
    check_page_size(first)
    pk = decode_typed_id(variant_id, "Variant", argument="variantId")
    if await ctx.session.scalar(select(col(Variant.id)).where(col(Variant.id) == pk)) is None:
        return None
    mine = col(StockMovement.variant_id) == pk
    statement = _with_actors().where(mine)
    if after is not None:
        [last] = decode_cursor(after, LEDGER_TAG, (int,))
        statement = statement.where(col(StockMovement.id) < _id_in_range(last, BIG_KEYS))
    statement = statement.order_by(col(StockMovement.id).desc()).limit(first + 1)
    found = [_ledger_row(*row) for row in await ctx.session.rows(statement)]
    rows = found[:first]

    async def total_count() -> int:
        count = select(func.count()).select_from(StockMovement).where(mine)
        return int(await ctx.session.scalar(count) or 0)

    return Page(
        rows=rows,
        cursors=[encode_cursor(LEDGER_TAG, [row.movement.id]) for row in rows],
        has_next_page=len(found) > first,
        has_previous_page=after is not None,
        total_count=total_count,
    )


async def stock_movement(ctx: Context, pk: int) -> StockMovementRow | None:
    """One ledger row with its actor (a stock mutation answers with the row it wrote)."""
    found = await ctx.session.rows(_with_actors().where(col(StockMovement.id) == pk))
    return _ledger_row(*found[0]) if found else None


def _with_actors() -> Any:
    """Ledger rows with the user's email and role, or the API key's name, beside them."""
    return (
        select(StockMovement, col(User.email), col(User.role), col(ApiKey.name))
        .outerjoin(User, col(User.id) == col(StockMovement.actor_user_id))
        .outerjoin(ApiKey, col(ApiKey.id) == col(StockMovement.actor_api_key_id))
    )


def _ledger_row(
    movement: StockMovement, email: str | None, role: str | None, key_name: str | None
) -> StockMovementRow:
    is_client_user = role == Role.CLIENT
    return StockMovementRow(
        movement,
        MovementActor(
            user_id=movement.actor_user_id,
            api_key_id=movement.actor_api_key_id,
            is_client_user=is_client_user,
            name=key_name if email is None else (None if is_client_user else email),
        ),
    )

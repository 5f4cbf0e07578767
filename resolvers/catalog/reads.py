"""Storefront catalog reads: product listings, lookups by slug and global id, the category tree.

The listing composes `product_filters` (what matches), `sorting` (in which order, and the
cursors) and the discovery tables behind them; see docs/design/catalog-discovery.md.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func
from sqlmodel import col, select

from core.bounded import LruMapping
from core.errors import BadUserInput
from core.global_id import decode_global_id
from loaders import catalog as relations
from loaders.clients import CLIENT_COMPANY_BY_ID
from loaders.inquiries import INQUIRY_BY_ID, QUOTE_BY_ID
from loaders.orders import ORDER_BY_ID
from loaders.relations import Relation
from loaders.shipments import SHIPMENT_BY_ID
from models.catalog import Category, Product, ProductType
from models.catalog.discovery import product_search, product_spec_values
from resolvers.catalog.product_filters import FilterConditions, ProductFilter, compile_filter
from resolvers.catalog.sorting import (
    ProductSort,
    SortPlan,
    count_statement,
    listed_products,
    name_plan,
    page_statement,
    sort_plan,
)
from resolvers.catalog.spec_filters import load_attribute_catalog
from resolvers.context import Context
from resolvers.pagination import Page, check_page_size

# What `node(id:)` can return, by the type name inside the global id. Each relation applies
# its visibility for the caller, so a hidden row is null exactly like a missing one.
NODE_RELATIONS: dict[str, Relation] = {
    "Product": relations.PRODUCT_BY_ID,
    "Variant": relations.VARIANT_BY_ID,
    "Category": relations.CATEGORY_BY_ID,
    "ProductType": relations.PRODUCT_TYPE_BY_ID,
    "ClientCompany": CLIENT_COMPANY_BY_ID,
    "Shipment": SHIPMENT_BY_ID,
    "Inquiry": INQUIRY_BY_ID,
    "Quote": QUOTE_BY_ID,
    "Order": ORDER_BY_ID,
}


async def filter_conditions(ctx: Context, product_filter: ProductFilter) -> FilterConditions:
    """The filter checked and compiled; the attribute catalog is read only for spec filters."""
    catalog = await load_attribute_catalog(ctx) if product_filter.specs else None
    return compile_filter(product_filter, catalog=catalog)


async def list_products(
    ctx: Context,
    *,
    first: int,
    after: str | None,
    product_filter: ProductFilter,
    sort: ProductSort = ProductSort.NAME,
    sort_currency: str | None = None,
    with_total: bool = False,
) -> Page[Product]:
    """Active products matching the filter, in `sort` order; a keyset page and a lazy total.

    The price sort's currency defaults to the price filter's. `with_total` says the caller
    will ask for the total: a first page that must read every match anyway (relevance ranks
    them all; a spec, search or price filter finds them through its own index before they
    are sorted) then counts them in the same statement instead of finding them again.
    """
    check_page_size(first)
    # Spec filters read the attribute catalog, which changes: their listings are not kept.
    key = (
        None
        if product_filter.specs
        else repr((product_filter, sort, sort_currency, after, first, with_total))
    )
    listing = _LISTINGS.get(key) if key is not None else None
    if listing is None:
        listing = _listing(
            await filter_conditions(ctx, product_filter),
            product_filter,
            sort=sort,
            sort_currency=sort_currency,
            after=after,
            first=first,
            with_total=with_total,
        )
        if key is not None:
            _LISTINGS[key] = listing
    conditions, plan, counted, statement = listing
    rows = list(await ctx.session.rows(statement))
    has_next_page = len(rows) > first
    rows = rows[:first]
    listed = listed_products(rows)
    for product, _ in listed:
        ctx.loaders.prime(relations.PRODUCT_BY_ID, product.id, product)

    async def total_count() -> int:
        if counted:
            return int(rows[0][-1]) if rows else 0
        return int(await ctx.session.scalar(listing_count(conditions, plan)) or 0)

    return Page(
        rows=[product for product, _ in listed],
        cursors=[plan.cursor(keyed) for _, keyed in listed],
        has_next_page=has_next_page,
        has_previous_page=after is not None,
        total_count=total_count,
    )


# A listing's conditions, order and page statement, the same for the same filter, order, page
# and cursor: a storefront asks for the same few pages again and again, and building the
# statement cost as much as running it. Bounded: the least recently asked for goes first.
LISTINGS_KEPT = 256
_LISTINGS: LruMapping[str, tuple[FilterConditions, SortPlan, bool, Select[Any]]] = LruMapping(
    LISTINGS_KEPT
)


def _listing(
    conditions: FilterConditions,
    product_filter: ProductFilter,
    *,
    sort: ProductSort,
    sort_currency: str | None,
    after: str | None,
    first: int,
    with_total: bool,
) -> tuple[FilterConditions, SortPlan, bool, Select[Any]]:
    if sort_currency is None and product_filter.price is not None:
        sort_currency = product_filter.price.currency
    plan = sort_plan(sort, currency=sort_currency, search_words=conditions.search_words)
    reads_all = plan.join_is_search or bool(
        product_filter.specs or product_filter.search or product_filter.price
    )
    counted = with_total and after is None and reads_all
    statement = listing_page(conditions, plan, after=after, first=first, total=counted)
    return conditions, plan, counted, statement


def listing_page(
    conditions: FilterConditions,
    plan: SortPlan,
    *,
    after: str | None,
    first: int,
    total: bool,
) -> Select[Any]:
    """The page statement of a listing (`sorting.page_statement`), from the fewest tables
    that answer it; its rows' cursors follow `plan` whichever tables it reads."""
    if not plan.join_is_search and plan.cursor_tag == "name":
        on_spec_rows = conditions.on_spec_rows()
        if on_spec_rows is not None:
            # One attribute's values in a type or category: one range of a spec value index.
            values = product_spec_values.c
            return page_statement(
                name_plan(values.name, values.product_id),
                on_spec_rows,
                after=after,
                first=first,
                total=total,
                page_ids=values.product_id,
            )
    if plan.search_match is not None:
        # A relevance page matches through its join to the search rows; see `sorting`.
        beside = conditions.beside_search()
        if not beside:  # a search alone: its search rows answer it
            return page_statement(
                plan,
                [plan.search_match],
                after=after,
                first=first,
                total=total,
                page_ids=product_search.c.product_id,
            )
        return page_statement(plan, beside, after=after, first=first, total=total)
    return page_statement(plan, conditions.all(), after=after, first=first, total=total)


def listing_count(conditions: FilterConditions, plan: SortPlan) -> Select[Any]:
    """The number of products a listing holds, from spec rows where they answer it (the
    order does not matter unless it needs a price, which leaves unpriced products out)."""
    on_spec_rows = conditions.on_spec_rows() if plan.join is None else None
    if on_spec_rows is not None:
        return select(func.count()).select_from(product_spec_values).where(*on_spec_rows)
    return count_statement(plan, conditions.all())


async def product_by_slug(ctx: Context, slug: str) -> Product | None:
    product: Product | None = await ctx.loaders.one(relations.PRODUCT_BY_SLUG, slug)
    return product


async def node_by_global_id(ctx: Context, global_id: str) -> tuple[str, Any] | None:
    """The row behind a global id and its type name; None if it does not exist or is hidden."""
    type_name, pk = decode_global_id(global_id, argument="id")
    relation = NODE_RELATIONS.get(type_name)
    if relation is None:
        raise BadUserInput(f"ids of type {type_name} cannot be fetched here", argument="id")
    row = await ctx.loaders.one(relation, pk)
    return None if row is None else (type_name, row)


async def root_categories(ctx: Context) -> list[Category]:
    statement = (
        select(Category)
        .where(col(Category.parent_id).is_(None))
        .order_by(col(Category.position), col(Category.name))
    )
    return list(await ctx.session.scalars(statement))


async def category_by_slug(ctx: Context, slug: str) -> Category | None:
    category: Category | None = await ctx.loaders.one(relations.CATEGORY_BY_SLUG, slug)
    return category


async def product_type_by_slug(ctx: Context, slug: str) -> ProductType | None:
    product_type: ProductType | None = await ctx.loaders.one(relations.PRODUCT_TYPE_BY_SLUG, slug)
    return product_type

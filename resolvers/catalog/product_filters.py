"""The storefront's product filter: checked input in, SQL conditions on `products` out.

All conditions combine with AND. They are kept apart by what they constrain (spec conditions
by attribute key, the country condition on its own) because a facet is counted under the
filter without its own condition: the "colour" facet shows the other colours a buyer could
pick, not only the one already picked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from itertools import chain
from typing import Any

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import aliased
from sqlmodel import col

from core.dialect import search_match
from core.errors import BadUserInput
from core.global_id import decode_typed_id
from core.sql_literals import inline
from loaders.catalog import product_is_visible
from models.catalog import Category, Product, ProductType, Variant
from models.catalog.discovery import (
    COUNTRY_KEY,
    product_prices,
    product_search,
    product_spec_values,
    search_words,
)
from models.reference import COUNTRY_CODES
from resolvers.catalog.pricing import check_currency
from resolvers.catalog.spec_filters import (
    SPEC_VALUES,
    AttributeCatalog,
    KeyConditions,
    SpecFilter,
    ValuePick,
    products_with,
    spec_conditions,
)

MAX_SEARCH_LENGTH = 200
MAX_SEARCH_WORDS = 10
MAX_COUNTRIES = 50


@dataclass(frozen=True)
class PriceRange:
    """From-prices in `currency` between `min` and `max`, both inclusive and optional."""

    currency: str
    min: Decimal | None = None
    max: Decimal | None = None


@dataclass(frozen=True)
class ProductFilter:
    category_id: str | None = None
    category_slug: str | None = None
    in_stock: bool | None = None
    product_type_id: str | None = None
    product_type_slug: str | None = None
    search: str | None = None
    country_of_origin: list[str] | None = None
    price: PriceRange | None = None
    specs: list[SpecFilter] = field(default_factory=list)


@dataclass(frozen=True)
class ProductScope:
    """A filter's product type (by id and/or slug) and category subtree as id conditions."""

    type_id: int | None = None
    type_ids_by_slug: Any = None  # a SELECT of the id of the type with the filter's slug
    category_ids: Any = None  # a SELECT of the ids of the category and its descendants

    def on(
        self, type_column: ColumnElement[int], category_column: ColumnElement[int]
    ) -> list[ColumnElement[bool]]:
        """The scope as conditions on these columns; the same subqueries every time, so one
        statement may apply it to several tables."""
        conditions = []
        if self.type_id is not None:
            conditions.append(type_column == self.type_id)
        if self.type_ids_by_slug is not None:
            conditions.append(type_column.in_(self.type_ids_by_slug))
        if self.category_ids is not None:
            conditions.append(category_column.in_(self.category_ids))
        return conditions


@dataclass
class FilterConditions:
    """A checked filter as SQL conditions on `products`, visibility included."""

    general: list[ColumnElement[bool]]
    visible: ColumnElement[bool]  # the visibility condition, also in `general`
    country: ColumnElement[bool] | None = None
    # The spec conditions by attribute key: as product ids, on products, and as a pick.
    specs: dict[str, KeyConditions] = field(default_factory=dict)
    search_words: list[str] = field(default_factory=list)
    # The search condition (also in `general`), for a relevance listing that joins the
    # search rows anyway and applies the match to them instead.
    search: ColumnElement[bool] | None = None
    # The product type and category conditions alone, for tables keyed by both (facet
    # counts); `narrowed` when `general` holds more than visibility, type and category.
    scope: ProductScope = field(default_factory=ProductScope)
    narrowed: bool = False
    # Per key with conditions (spec keys, and COUNTRY_KEY for the country), the same as a
    # condition on one value row, or None where a sum over such rows would miscount.
    picks: dict[str, ValuePick | None] = field(default_factory=dict)

    def all(self) -> list[ColumnElement[bool]]:
        return self.without_attribute(None)

    def beside_search(self) -> list[ColumnElement[bool]]:
        """What a relevance page applies besides its join to the search rows, which exist
        for visible products only: neither the search nor the visibility condition."""
        return [c for c in self.all() if c is not self.search and c is not self.visible]

    def picked_keys(self, *, without: str | None = None) -> list[str] | None:
        """The keys (COUNTRY_KEY included) whose values the filter picks besides a product
        type and/or category, leaving out `without`; None when it has other conditions."""
        return None if self.narrowed else [key for key in self.picks if key != without]

    def sole_pick(self, *, without: str | None = None) -> tuple[str, ValuePick] | None:
        """The one key of `picked_keys` and its pick, when there is exactly one and a sum
        over value rows counts its products exactly; else None."""
        picked = self.picked_keys(without=without)
        if picked is None or len(picked) != 1:
            return None
        pick = self.picks[picked[0]]
        return None if pick is None else (picked[0], pick)

    def on_spec_rows(self, *, without: str | None = None) -> list[ColumnElement[bool]] | None:
        """The filter, leaving out key `without`, as conditions on `product_spec_values` that
        hold for exactly one row of each matching product, when it is attribute values (and
        countries) within a product type and/or category; else None.

        Spec rows exist for visible products only and carry their type and category. The rows
        are one attribute's, whose values the filter picks one per product (`ValuePick`); the
        other attributes' conditions, and the country's, are semi-joins on spec rows too, so
        no product row is read: two index ranges meet in a hash join.
        """
        picked = self.picked_keys(without=without)
        # Countries only ever join an attribute's rows: a type or category page with
        # countries alone lists through products, and its sidebar reads the pair counts.
        listed = next(
            (key for key in picked or [] if key != COUNTRY_KEY and self.picks[key] is not None),
            None,
        )
        if listed is None:
            return None
        pick = self.picks[listed]
        assert pick is not None
        values = product_spec_values.c
        others: list[ColumnElement[bool]] = []
        for key, conditions in self.specs.items():
            if key not in (listed, without):
                others += [values.product_id.in_(matching) for matching in conditions.matches]
        country = self.picks.get(COUNTRY_KEY)
        if country is not None and without != COUNTRY_KEY:
            in_countries = products_with(COUNTRY_KEY, country.on(SPEC_VALUES))
            others.append(values.product_id.in_(in_countries))
        return [
            values.attribute_key == inline(listed),
            pick.on(SPEC_VALUES),
            *self.scope.on(values.product_type_id, values.category_id),
            *others,
        ]

    def without_attribute(self, key: str | None) -> list[ColumnElement[bool]]:
        """Every condition except those on spec attribute `key` (COUNTRY_KEY: the country)."""
        country = [self.country] if self.country is not None and key != COUNTRY_KEY else []
        specs = chain.from_iterable(c.on_products for k, c in self.specs.items() if k != key)
        return [*self.general, *country, *specs]


def product_type_id_of(product_filter: ProductFilter) -> int | None:
    if product_filter.product_type_id is None:
        return None
    return decode_typed_id(
        product_filter.product_type_id, "ProductType", argument="filter.productType"
    )


def compile_filter(
    product_filter: ProductFilter, *, catalog: AttributeCatalog | None
) -> FilterConditions:
    """Check the filter and build its conditions. `catalog` is needed when it has specs."""
    type_id = product_type_id_of(product_filter)
    visible = product_is_visible()
    general: list[ColumnElement[bool]] = [visible]
    category_ids = None
    if product_filter.category_id is not None or product_filter.category_slug is not None:
        category_ids = _category_subtree(product_filter)
        general.append(col(Product.category_id).in_(category_ids))
    if product_filter.in_stock is not None:
        in_stock = exists().where(
            col(Variant.product_id) == col(Product.id),
            col(Variant.stock_on_hand) > col(Variant.stock_reserved),
        )
        general.append(in_stock if product_filter.in_stock else ~in_stock)
    if type_id is not None:
        general.append(col(Product.product_type_id) == type_id)
    by_slug = None
    if product_filter.product_type_slug is not None:
        by_slug = select(col(ProductType.id)).where(
            col(ProductType.slug) == product_filter.product_type_slug
        )
        general.append(col(Product.product_type_id).in_(by_slug))
    words: list[str] = []
    search = None
    if product_filter.search is not None:
        words = checked_search_words(product_filter.search)
        matching = select(product_search.c.product_id).where(search_match(words))
        search = col(Product.id).in_(matching)
        general.append(search)
    if product_filter.price is not None:
        general.append(_price_condition(product_filter.price))
    by_key = {}
    if product_filter.specs:
        assert catalog is not None, "spec filters are checked against the attribute catalog"
        scope = catalog.scoped(type_id=type_id, type_slug=product_filter.product_type_slug)
        by_key = spec_conditions(
            product_filter.specs, scope, scope_name=_scope_name(product_filter)
        )
    picks = {key: conditions.pick for key, conditions in by_key.items()}
    countries = _checked_countries(product_filter.country_of_origin)
    if countries is not None:
        codes = [inline(code) for code in countries]
        picks[COUNTRY_KEY] = ValuePick((lambda columns: columns.text.in_(codes),))
    return FilterConditions(
        general=general,
        visible=visible,
        country=None if countries is None else col(Product.country_of_origin).in_(codes),
        specs=by_key,
        picks=picks,
        search_words=words,
        search=search,
        scope=ProductScope(type_id, by_slug, category_ids),
        narrowed=any(
            given is not None
            for given in (product_filter.in_stock, product_filter.search, product_filter.price)
        ),
    )


def _scope_name(product_filter: ProductFilter) -> str:
    if product_filter.product_type_slug is not None:
        return f"product type '{product_filter.product_type_slug[:60]}'"
    if product_filter.product_type_id is not None:
        return "the product type in filter.productType"
    return "any product type"


def checked_search_words(search: str) -> list[str]:
    if len(search) > MAX_SEARCH_LENGTH:
        raise BadUserInput(
            f"must be at most {MAX_SEARCH_LENGTH} characters", argument="filter.search"
        )
    words = list(dict.fromkeys(search_words(search)))
    if not words:
        raise BadUserInput("needs at least one letter or digit", argument="filter.search")
    if len(words) > MAX_SEARCH_WORDS:
        raise BadUserInput(f"takes at most {MAX_SEARCH_WORDS} words", argument="filter.search")
    return words


def _checked_countries(countries: list[str] | None) -> list[str] | None:
    if countries is None:
        return None
    argument = "filter.countryOfOrigin"
    if not 1 <= len(countries) <= MAX_COUNTRIES:
        raise BadUserInput(f"takes 1 to {MAX_COUNTRIES} country codes", argument=argument)
    unknown = [code for code in countries if code not in COUNTRY_CODES]
    if unknown:
        raise BadUserInput(
            f"has '{unknown[0][:10]}', not an ISO 3166-1 alpha-2 code such as IN",
            argument=argument,
        )
    return sorted(set(countries))


def _price_condition(price: PriceRange) -> ColumnElement[bool]:
    check_currency(price.currency, argument="filter.price.currency")
    for name, bound in (("min", price.min), ("max", price.max)):
        if bound is not None and (not bound.is_finite() or bound < 0):
            raise BadUserInput("must be a price of 0 or more", argument=f"filter.price.{name}")
    if price.min is not None and price.max is not None and price.min > price.max:
        raise BadUserInput("has min above max", argument="filter.price")
    prices = product_prices.c
    matching = select(prices.product_id).where(prices.currency == price.currency)
    if price.min is not None:
        matching = matching.where(prices.from_price >= price.min)
    if price.max is not None:
        matching = matching.where(prices.from_price <= price.max)
    return col(Product.id).in_(matching)


def _category_subtree(product_filter: ProductFilter) -> Any:
    """Ids of the filter's category and all its descendants, as one recursive CTE."""
    root = select(col(Category.id))
    if product_filter.category_id is not None:
        category_id = decode_typed_id(
            product_filter.category_id, "Category", argument="filter.category"
        )
        root = root.where(col(Category.id) == category_id)
    if product_filter.category_slug is not None:
        root = root.where(col(Category.slug) == product_filter.category_slug)
    subtree = root.cte("category_subtree", recursive=True)
    child = aliased(Category)
    subtree = subtree.union_all(select(col(child.id)).where(col(child.parent_id) == subtree.c.id))
    return select(subtree.c.id)

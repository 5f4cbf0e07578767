"""The staff order list: search by order number or client, filters, and five orders.

Only a field gated by `orders:read_all` reaches this; row scoping still goes through the
orders' visibility clause (`loaders.orders`), as every order read does. A page is one
statement (and one more for `totalCount`), through `resolvers.keyset`, whatever its size.

Search is an order number (`SO-000042`, or just `42`) or a case-insensitive prefix of the
client company's name. The sorts are served by btree ranges (migration 0020): placed date by
`(created_at, id)`, total by `(total, id)`, status by `(status, created_at, id)`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import ColumnElement, func, literal, or_
from sqlmodel import col, select

from core.dialect import timestamp_key, timestamp_value
from core.errors import BadUserInput
from loaders.orders import ORDER_BY_ID
from models.clients import ClientCompany
from models.orders import Order, OrderStatus, PaymentStatus
from models.reference import COUNTRY_CODES
from resolvers.catalog.pricing import check_currency
from resolvers.context import Context
from resolvers.keyset import KeyKind, KeysetOrder, SortKey, keyset_page
from resolvers.pagination import Page

MAX_SEARCH_LENGTH = 200  # a client company's name is at most 200 characters
_ORDER_NUMBER = re.compile(r"(?:SO-?)?0*(\d{1,18})", re.IGNORECASE)


class StaffOrderSort(StrEnum):
    PLACED_NEWEST = "placed_newest"  # newest placed first (the default)
    PLACED_OLDEST = "placed_oldest"
    TOTAL_HIGHEST = "total_highest"  # by total in the order's own currency, highest first
    TOTAL_LOWEST = "total_lowest"
    STATUS = "status"  # by status name A to Z, oldest placed first within a status


@dataclass(frozen=True)
class StaffOrderFilter:
    """Orders matching every condition given; None means no condition."""

    statuses: Sequence[OrderStatus] | None = None
    payment_statuses: Sequence[PaymentStatus] | None = None
    currency: str | None = None
    placed_from: datetime | None = None
    placed_to: datetime | None = None
    total_min: Decimal | None = None
    total_max: Decimal | None = None
    destination_country: str | None = None


ORDER_ID = SortKey(col(Order.id), KeyKind.INT)
ORDER_ID_DESC = SortKey(col(Order.id), KeyKind.INT, descending=True)
PLACED = SortKey(col(Order.created_at), KeyKind.MOMENT)
PLACED_DESC = SortKey(col(Order.created_at), KeyKind.MOMENT, descending=True)

ORDERS: dict[StaffOrderSort, KeysetOrder] = {
    StaffOrderSort.PLACED_NEWEST: KeysetOrder(
        "staff_orders:placed_newest", (PLACED_DESC, ORDER_ID_DESC)
    ),
    StaffOrderSort.PLACED_OLDEST: KeysetOrder("staff_orders:placed_oldest", (PLACED, ORDER_ID)),
    StaffOrderSort.TOTAL_HIGHEST: KeysetOrder(
        "staff_orders:total_highest",
        (SortKey(col(Order.total), KeyKind.DECIMAL, descending=True), ORDER_ID_DESC),
    ),
    StaffOrderSort.TOTAL_LOWEST: KeysetOrder(
        "staff_orders:total_lowest", (SortKey(col(Order.total), KeyKind.DECIMAL), ORDER_ID)
    ),
    StaffOrderSort.STATUS: KeysetOrder(
        "staff_orders:status", (SortKey(col(Order.status), KeyKind.TEXT), PLACED, ORDER_ID)
    ),
}


def _key_of(sort: StaffOrderSort) -> Callable[[Order], tuple[Any, ...]]:
    def key(order: Order) -> tuple[Any, ...]:
        if sort in (StaffOrderSort.PLACED_NEWEST, StaffOrderSort.PLACED_OLDEST):
            return order.created_at, order.id
        if sort is StaffOrderSort.STATUS:
            return str(order.status), order.created_at, order.id
        return order.total, order.id

    return key


def _prefix_pattern(text: str) -> ColumnElement[str]:
    """`lower(text) || '%'` with LIKE's own characters escaped by `/`."""
    escaped = text.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return func.lower(literal(escaped + "%"))


def _search_condition(search: str) -> ColumnElement[bool]:
    """Orders with this number, or whose client's name starts with `search` (any case)."""
    if len(search) > MAX_SEARCH_LENGTH:
        raise BadUserInput(f"must be at most {MAX_SEARCH_LENGTH} characters", argument="search")
    named = select(col(ClientCompany.id)).where(
        func.lower(col(ClientCompany.name)).like(_prefix_pattern(search), escape="/")
    )
    by_client = col(Order.client_company_id).in_(named)
    number = _ORDER_NUMBER.fullmatch(search)
    if number is None:
        return by_client
    return or_(col(Order.id) == int(number.group(1)), by_client)


def _in(values: Sequence[StrEnum] | None, column: Any, argument: str) -> list[ColumnElement[bool]]:
    if values is None:
        return []
    if not values:
        raise BadUserInput("takes at least one value", argument=argument)
    return [col(column).in_([value.value for value in values])]


def _filter_conditions(given: StaffOrderFilter) -> list[ColumnElement[bool]]:
    conditions = [
        *_in(given.statuses, Order.status, "filter.status"),
        *_in(given.payment_statuses, Order.payment_status, "filter.paymentStatus"),
    ]
    if given.currency is not None:
        currency = check_currency(given.currency, argument="filter.currency")
        conditions.append(col(Order.currency) == currency)
    if given.placed_from and given.placed_to and given.placed_from > given.placed_to:
        raise BadUserInput("must not be before placedFrom", argument="filter.placedTo")
    placed = timestamp_key(cast(ColumnElement[datetime], col(Order.created_at)))
    if given.placed_from is not None:
        conditions.append(placed >= timestamp_value(given.placed_from))
    if given.placed_to is not None:
        conditions.append(placed <= timestamp_value(given.placed_to))
    low, high = given.total_min, given.total_max
    for bound, argument in ((low, "filter.totalMin"), (high, "filter.totalMax")):
        if bound is not None and bound < 0:
            raise BadUserInput("must be 0 or more (a total never is negative)", argument=argument)
    if low is not None and high is not None and low > high:
        raise BadUserInput("must not be below totalMin", argument="filter.totalMax")
    if given.total_min is not None:
        conditions.append(col(Order.total) >= given.total_min)
    if given.total_max is not None:
        conditions.append(col(Order.total) <= given.total_max)
    if given.destination_country is not None:
        country = given.destination_country.strip().upper()
        if country not in COUNTRY_CODES:
            raise BadUserInput(
                "must be an ISO 3166-1 alpha-2 country code such as DE",
                argument="filter.destinationCountry",
            )
        shipped_to = col(Order.shipping_address)["country"].as_string()
        conditions.append(shipped_to == country)
    return conditions


async def list_staff_orders(
    ctx: Context,
    *,
    first: int,
    after: str | None,
    search: str | None,
    order_filter: StaffOrderFilter,
    sort: StaffOrderSort,
) -> Page[Order]:
    """Every order the caller may see matching the search and filter, a keyset page in `sort`."""
    conditions = _filter_conditions(order_filter)
    if search is not None and search.strip():
        conditions.append(_search_condition(search.strip()))
    statement = select(Order).where(ctx.loaders.visible(ORDER_BY_ID), *conditions)
    page = await keyset_page(
        ctx.session, ORDERS[sort], statement, first=first, after=after, key_of=_key_of(sort)
    )
    for row in page.rows:
        ctx.loaders.prime(ORDER_BY_ID, row.id, row)
    return page

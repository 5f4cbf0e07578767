"""The staff order list (search by order number or client, filters, five orders), and
finance's list of the payments recorded against orders.

Only a field gated by `orders:read_all` reaches this; row scoping still goes through the
orders' visibility clause (`loaders.orders`), as every order read does. A page is one
statement (and one more for `totalCount`), through `resolvers.keyset`, whatever its size.

Search is an order number (`SO-000042`, or just `42`) or a case-insensitive prefix of the
client company's name. The sorts are served by btree ranges (migration 0020): placed date by
`(created_at, id)`, total by `(total, id)`, status by `(status, created_at, id)`.

The payments list (`finance:read`) sees a payment exactly when its order is visible; its
received-date range is in whole UTC days. Its sorts have no index of their own yet: the
payments table is read and sorted whole for each page (see docs/api/orders.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import ColumnElement, or_
from sqlmodel import col, select

from core.dialect import timestamp_key, timestamp_value
from core.errors import BadUserInput
from core.global_id import decode_typed_id
from loaders.orders import ORDER_BY_ID, PAYMENTS_BY_ORDER
from models.clients import ClientCompany
from models.orders import Order, OrderStatus, Payment, PaymentStatus
from models.reference import COUNTRY_CODES
from resolvers.catalog.pricing import check_currency
from resolvers.context import Context
from resolvers.keyset import KeyKind, KeysetOrder, SortKey, keyset_page
from resolvers.pagination import Page
from resolvers.prefix_search import starts_with

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


def _search_condition(search: str) -> ColumnElement[bool]:
    """Orders with this number, or whose client's name starts with `search` (any case)."""
    if len(search) > MAX_SEARCH_LENGTH:
        raise BadUserInput(f"must be at most {MAX_SEARCH_LENGTH} characters", argument="search")
    named = select(col(ClientCompany.id)).where(starts_with(col(ClientCompany.name), search))
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


class PaymentSort(StrEnum):
    RECEIVED_NEWEST = "received_newest"  # latest received first (the default)
    RECEIVED_OLDEST = "received_oldest"
    AMOUNT_HIGHEST = "amount_highest"  # by amount in the payment's own currency
    AMOUNT_LOWEST = "amount_lowest"


@dataclass(frozen=True)
class PaymentFilter:
    """Payments matching every condition given; None means no condition."""

    client: str | None = None  # a ClientCompany global id
    received_from: date | None = None  # a UTC day, inclusive
    received_to: date | None = None  # a UTC day, inclusive
    currency: str | None = None


PAYMENT_ID = SortKey(col(Payment.id), KeyKind.INT)
PAYMENT_ID_DESC = SortKey(col(Payment.id), KeyKind.INT, descending=True)

PAYMENT_ORDERS: dict[PaymentSort, KeysetOrder] = {
    PaymentSort.RECEIVED_NEWEST: KeysetOrder(
        "payments:received_newest",
        (SortKey(col(Payment.received_at), KeyKind.MOMENT, descending=True), PAYMENT_ID_DESC),
    ),
    PaymentSort.RECEIVED_OLDEST: KeysetOrder(
        "payments:received_oldest",
        (SortKey(col(Payment.received_at), KeyKind.MOMENT), PAYMENT_ID),
    ),
    PaymentSort.AMOUNT_HIGHEST: KeysetOrder(
        "payments:amount_highest",
        (SortKey(col(Payment.amount), KeyKind.DECIMAL, descending=True), PAYMENT_ID_DESC),
    ),
    PaymentSort.AMOUNT_LOWEST: KeysetOrder(
        "payments:amount_lowest", (SortKey(col(Payment.amount), KeyKind.DECIMAL), PAYMENT_ID)
    ),
}


def _payment_key_of(sort: PaymentSort) -> Callable[[Payment], tuple[Any, ...]]:
    def key(payment: Payment) -> tuple[Any, ...]:
        if sort in (PaymentSort.RECEIVED_NEWEST, PaymentSort.RECEIVED_OLDEST):
            return payment.received_at, payment.id
        return payment.amount, payment.id

    return key


def _start_of(day: date) -> Any:
    return timestamp_value(datetime.combine(day, time.min, tzinfo=UTC))


def _payment_conditions(given: PaymentFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if given.client is not None:
        pk = decode_typed_id(given.client, "ClientCompany", argument="filter.client")
        of_client = select(col(Order.id)).where(col(Order.client_company_id) == pk)
        conditions.append(col(Payment.order_id).in_(of_client))
    if given.currency is not None:
        currency = check_currency(given.currency, argument="filter.currency")
        conditions.append(col(Payment.currency) == currency)
    low, high = given.received_from, given.received_to
    if low is not None and high is not None and low > high:
        raise BadUserInput("must not be after `receivedTo`", argument="filter.receivedFrom")
    received = timestamp_key(cast(ColumnElement[datetime], col(Payment.received_at)))
    if low is not None:
        conditions.append(received >= _start_of(low))
    if high is not None and high < date.max:  # the last day there is has no day after it
        conditions.append(received < _start_of(high + timedelta(days=1)))
    return conditions


async def list_payments(
    ctx: Context,
    *,
    first: int,
    after: str | None,
    payment_filter: PaymentFilter,
    sort: PaymentSort,
) -> Page[Payment]:
    """Payments whose order the caller may see, matching the filter, a keyset page in `sort`:
    one statement a page, one more for the count."""
    conditions = [ctx.loaders.visible(PAYMENTS_BY_ORDER), *_payment_conditions(payment_filter)]
    return await keyset_page(
        ctx.session,
        PAYMENT_ORDERS[sort],
        select(Payment).where(*conditions),
        first=first,
        after=after,
        key_of=_payment_key_of(sort),
    )

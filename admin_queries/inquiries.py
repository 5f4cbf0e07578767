"""The staff list of inquiries and their quotes: filters by status, assignee, age, origin and
quote expiry; sorted by age or by value.

Only a field gated by `orders:read_all` reaches this; rows still go through the inquiries'
visibility clause (`loaders.inquiries`). A page is one statement (one more for `totalCount`).

An inquiry's *value* is the total of its latest quote revision (whatever that revision's
status), in that quote's own currency and not converted, and 0 while it has no quote, so the
sort key is never NULL. It is a correlated subquery found through the `(inquiry_id,
revision)` unique index, evaluated over the filtered inquiries: value sorts rank the whole
filtered set, which the queue's size (open inquiries, not orders) affords. Age sorts are
served by `(created_at, id)` (migration 0020).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import ColumnElement, Numeric, exists, func, literal
from sqlalchemy import cast as sql_cast
from sqlmodel import col, select

from core.dialect import timestamp_key, timestamp_value
from core.errors import BadUserInput
from core.global_id import decode_typed_id
from loaders.inquiries import INQUIRY_BY_ID
from models.inquiries import Inquiry, InquiryStatus, Quote, QuoteStatus
from resolvers.context import Context
from resolvers.keyset import KeyKind, KeysetOrder, SortKey
from resolvers.pagination import Page, check_page_size

MAX_AGE_DAYS = 36_500  # a hundred years: anything older is every inquiry there is


class StaffInquirySort(StrEnum):
    OLDEST_FIRST = "oldest_first"  # the longest waiting first (the default)
    NEWEST_FIRST = "newest_first"
    VALUE_HIGHEST = "value_highest"  # the latest quote's total, highest first
    VALUE_LOWEST = "value_lowest"


class InquiryOrigin(StrEnum):
    GUEST = "guest"  # asked by a guest (a lead), not by a client company's user
    CLIENT = "client"


@dataclass(frozen=True)
class StaffInquiryFilter:
    """Inquiries matching every condition given; None means no condition."""

    statuses: Sequence[InquiryStatus] | None = None
    assigned_to_id: str | None = None  # a User's global id
    unassigned: bool | None = None
    origin: InquiryOrigin | None = None
    client_id: str | None = None  # a ClientCompany's global id
    created_from: datetime | None = None
    created_to: datetime | None = None
    older_than_days: int | None = None
    quote_expiring_before: date | None = None


# The latest revision's total; 0 without a quote. Cast so both dialects return a Decimal.
VALUE: ColumnElement[Decimal] = sql_cast(
    func.coalesce(
        select(col(Quote.total))
        .where(col(Quote.inquiry_id) == col(Inquiry.id))
        .order_by(col(Quote.revision).desc())
        .limit(1)
        .scalar_subquery(),
        literal(0),
    ),
    Numeric(18, 4),
)
CREATED = cast(ColumnElement[datetime], col(Inquiry.created_at))
INQUIRY_ID = SortKey(col(Inquiry.id), KeyKind.INT)
INQUIRY_ID_DESC = SortKey(col(Inquiry.id), KeyKind.INT, descending=True)

ORDERS: dict[StaffInquirySort, KeysetOrder] = {
    StaffInquirySort.OLDEST_FIRST: KeysetOrder(
        "staff_inquiries:oldest_first", (SortKey(CREATED, KeyKind.MOMENT), INQUIRY_ID)
    ),
    StaffInquirySort.NEWEST_FIRST: KeysetOrder(
        "staff_inquiries:newest_first",
        (SortKey(CREATED, KeyKind.MOMENT, descending=True), INQUIRY_ID_DESC),
    ),
    StaffInquirySort.VALUE_HIGHEST: KeysetOrder(
        "staff_inquiries:value_highest",
        (SortKey(VALUE, KeyKind.DECIMAL, descending=True), INQUIRY_ID_DESC),
    ),
    StaffInquirySort.VALUE_LOWEST: KeysetOrder(
        "staff_inquiries:value_lowest", (SortKey(VALUE, KeyKind.DECIMAL), INQUIRY_ID)
    ),
}


def _assignee_conditions(given: StaffInquiryFilter) -> list[ColumnElement[bool]]:
    assignee = col(Inquiry.assigned_to_user_id)
    if given.assigned_to_id is not None:
        if given.unassigned:
            raise BadUserInput("cannot be combined with assignedTo", argument="filter.unassigned")
        user_id = decode_typed_id(given.assigned_to_id, "User", argument="filter.assignedTo")
        return [assignee == user_id]
    if given.unassigned is None:
        return []
    return [assignee.is_(None) if given.unassigned else assignee.is_not(None)]


def _origin_conditions(given: StaffInquiryFilter) -> list[ColumnElement[bool]]:
    company = col(Inquiry.client_company_id)
    conditions: list[ColumnElement[bool]] = []
    if given.origin is InquiryOrigin.GUEST:
        conditions.append(company.is_(None))
    elif given.origin is InquiryOrigin.CLIENT:
        conditions.append(company.is_not(None))
    if given.client_id is not None:
        if given.origin is InquiryOrigin.GUEST:
            raise BadUserInput("cannot be combined with origin GUEST", argument="filter.client")
        conditions.append(
            company == decode_typed_id(given.client_id, "ClientCompany", argument="filter.client")
        )
    return conditions


def _age_conditions(given: StaffInquiryFilter, now: datetime) -> list[ColumnElement[bool]]:
    if given.created_from and given.created_to and given.created_from > given.created_to:
        raise BadUserInput("must not be before createdFrom", argument="filter.createdTo")
    created = timestamp_key(CREATED)
    conditions: list[ColumnElement[bool]] = []
    if given.created_from is not None:
        conditions.append(created >= timestamp_value(given.created_from))
    if given.created_to is not None:
        conditions.append(created <= timestamp_value(given.created_to))
    if given.older_than_days is not None:
        if not 0 <= given.older_than_days <= MAX_AGE_DAYS:
            raise BadUserInput(
                f"must be between 0 and {MAX_AGE_DAYS}", argument="filter.olderThanDays"
            )
        cutoff = now - timedelta(days=given.older_than_days)
        conditions.append(created <= timestamp_value(cutoff))
    return conditions


def _filter_conditions(given: StaffInquiryFilter, now: datetime) -> list[ColumnElement[bool]]:
    conditions = [
        *_assignee_conditions(given),
        *_origin_conditions(given),
        *_age_conditions(given, now),
    ]
    if given.statuses is not None:
        if not given.statuses:
            raise BadUserInput("takes at least one status", argument="filter.status")
        conditions.append(col(Inquiry.status).in_([status.value for status in given.statuses]))
    if given.quote_expiring_before is not None:
        expiring = exists().where(
            col(Quote.inquiry_id) == col(Inquiry.id),
            col(Quote.status) == QuoteStatus.OPEN.value,
            col(Quote.valid_until) < given.quote_expiring_before,
        )
        conditions.append(expiring)
    return conditions


async def list_staff_inquiries(
    ctx: Context,
    *,
    first: int,
    after: str | None,
    inquiry_filter: StaffInquiryFilter,
    sort: StaffInquirySort,
) -> Page[Inquiry]:
    """Every inquiry the caller may see matching the filter, a keyset page in `sort`.

    Not `keyset_page`: the value sort's key is an expression read back beside each row."""
    check_page_size(first)
    order = ORDERS[sort]
    conditions = [
        ctx.loaders.visible(INQUIRY_BY_ID),
        *_filter_conditions(inquiry_filter, datetime.now(UTC)),
    ]
    statement = select(Inquiry, VALUE).where(*conditions)
    if after is not None:
        statement = statement.where(order.after(after))
    found = list(await ctx.session.rows(statement.order_by(*order.order_by()).limit(first + 1)))
    rows: list[tuple[Inquiry, Decimal]] = [(row[0], row[1]) for row in found[:first]]
    by_value = sort in (StaffInquirySort.VALUE_HIGHEST, StaffInquirySort.VALUE_LOWEST)

    def key_of(inquiry: Inquiry, value: Decimal) -> tuple[Any, ...]:
        return (value if by_value else inquiry.created_at), inquiry.id

    for inquiry, _value in rows:
        ctx.loaders.prime(INQUIRY_BY_ID, inquiry.id, inquiry)

    async def total_count() -> int:
        count = select(func.count()).select_from(Inquiry).where(*conditions)
        return int(await ctx.session.scalar(count) or 0)

    return Page(
        rows=[inquiry for inquiry, _value in rows],
        cursors=[order.cursor(key_of(*row)) for row in rows],
        has_next_page=len(found) > first,
        has_previous_page=after is not None,
        total_count=total_count,
    )

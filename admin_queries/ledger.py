"""The finance listing of receivables: what clients owe, by due date, filtered.

Only `receivables` reaches it, behind `finance:read`, which no client user holds; its rows and
count still go through the caller's visibility clause (`loaders.ledger`). Receivables without a
due date yet (terms counted from a bill of lading or delivery still to come) sort last; the
sort key and its index coalesce them to 9999-01-01. A receivable is overdue when its due date
is before today (UTC), a balance remains and it was not reversed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import col, select

from core.errors import BadUserInput
from core.global_id import decode_typed_id
from loaders.ledger import ORDER_RECEIVABLE, RECEIVABLE_BY_ORDER
from models.ledger import NO_DUE_DATE, Receivable, ReceivableStatus, due_key_of
from resolvers.context import Context
from resolvers.keyset import KeyKind, KeysetOrder, SortKey, keyset_page
from resolvers.pagination import Page

BY_DUE_DATE = KeysetOrder(
    "receivable_due",
    (
        SortKey(due_key_of(col(Receivable.due_date)), KeyKind.DATE),
        SortKey(col(Receivable.id), KeyKind.INT),
    ),
)


@dataclass(frozen=True)
class ReceivableFilter:
    """Conditions on receivables; all given must hold."""

    client: str | None = None  # a ClientCompany global id
    due_from: date | None = None
    due_to: date | None = None
    overdue: bool | None = None


def is_overdue(today: date) -> ColumnElement[bool]:
    return and_(
        col(Receivable.due_date) < today,
        col(Receivable.balance) > 0,
        col(Receivable.status) != ReceivableStatus.REVERSED,
    )


def not_overdue(today: date) -> ColumnElement[bool]:
    """The complement of `is_overdue`, spelled out: a missing due date is not overdue."""
    return or_(
        col(Receivable.due_date).is_(None),
        col(Receivable.due_date) >= today,
        col(Receivable.balance) <= 0,
        col(Receivable.status) == ReceivableStatus.REVERSED,
    )


def _conditions(given: ReceivableFilter, today: date) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if given.client is not None:
        pk = decode_typed_id(given.client, "ClientCompany", argument="filter.client")
        conditions.append(col(Receivable.client_company_id) == pk)
    if given.due_from is not None and given.due_to is not None and given.due_from > given.due_to:
        raise BadUserInput("must not be after `dueTo`", argument="filter.dueFrom")
    if given.due_from is not None:
        conditions.append(col(Receivable.due_date) >= given.due_from)
    if given.due_to is not None:
        conditions.append(col(Receivable.due_date) <= given.due_to)
    if given.overdue is not None:
        conditions.append(is_overdue(today) if given.overdue else not_overdue(today))
    return conditions


def _key(row: Receivable) -> tuple[Any, ...]:
    return (row.due_date or NO_DUE_DATE, row.id)


async def list_receivables(
    ctx: Context, *, first: int, after: str | None, receivable_filter: ReceivableFilter | None
) -> Page[Receivable]:
    """Receivables the caller may see meeting the filter, by due date (none yet last), then
    id; one statement a page, one more for the count."""
    conditions = [ctx.loaders.visible(RECEIVABLE_BY_ORDER)]
    conditions += _conditions(receivable_filter or ReceivableFilter(), datetime.now(UTC).date())
    page = await keyset_page(
        ctx.session,
        BY_DUE_DATE,
        select(Receivable).where(*conditions),
        first=first,
        after=after,
        key_of=_key,
    )
    for row in page.rows:
        if row.shipment_id is None:
            ctx.loaders.prime(ORDER_RECEIVABLE, row.order_id, row)
    return page

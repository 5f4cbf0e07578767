"""Receivables aging: what each client owed on a day, by how long it had been overdue.

A receivable's balance on day D (a local day of `REPORTING_TIMEZONE`) follows from the
ledger's entries, its history, so a past day needs no snapshot: for a recent day, its balance
now less the entries posted after D ended; for a day far back, the sum of the entries posted
until then (whichever side of D holds fewer entries). Today's aging reads no entry at all.
Only what was still owed counts (a balance above zero); a reversal or a payment posted by
then brings it to zero.

Ages are whole days past the due date: `current` (not yet due, due that very day, or no due
date yet: terms counted from an event still to come), 1-30, 31-60, 61-90 and over 90 days
overdue. Amounts stay in the receivable's currency: a row is one client in one currency, and
the totals are per currency.

Two statements: the rows (grouped per client and currency, ordered by what is over 90 days
overdue, then all that is overdue) and the totals per currency. Today's read only the
receivables still owed (a partial index); a past day's also the entries on the smaller side
of it, a range of `ix_ledger_entries_created_at`: the dearest day is mid-history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any, cast

from sqlalchemy import ColumnElement, Numeric, and_, case, func, or_, select
from sqlalchemy.sql import Subquery
from sqlmodel import col

from core.dialect import holds_moment, timestamp_key, timestamp_value
from core.errors import BadUserInput
from core.global_id import decode_typed_id
from loaders.ledger import RECEIVABLE_BY_ORDER
from models.clients import ClientCompany
from models.ledger import LedgerEntry, Receivable
from resolvers.context import Context
from resolvers.pagination import check_page_size
from resolvers.reports.periods import check_day, day_start, local_today

BUCKET_DAYS = (30, 60, 90)


@dataclass(frozen=True)
class AgingBuckets:
    """What was owed in one currency, by age; `overdue` is all but `current`."""

    currency: str
    current: Decimal
    days_1_to_30: Decimal
    days_31_to_60: Decimal
    days_61_to_90: Decimal
    over_90_days: Decimal

    @property
    def overdue(self) -> Decimal:
        return self.days_1_to_30 + self.days_31_to_60 + self.days_61_to_90 + self.over_90_days

    @property
    def total(self) -> Decimal:
        return self.current + self.overdue


@dataclass(frozen=True)
class AgingRow:
    client: ClientCompany
    buckets: AgingBuckets


@dataclass(frozen=True)
class ReceivablesAging:
    as_of: date
    rows: list[AgingRow]
    totals: list[AgingBuckets]  # per currency, by currency code


def _owed_on(ctx: Context, as_of: date) -> Subquery:
    """Each receivable's balance when `as_of` ended, if any was owed, with its due date."""
    if as_of >= local_today(ctx.settings.reporting_zone):
        return owed_now(ctx)
    return owed_when(ctx, day_start(as_of + timedelta(days=1), ctx.settings.reporting_zone))


def _moment(attribute: Any) -> ColumnElement[datetime]:
    return cast(ColumnElement[datetime], col(attribute))


def owed_when(ctx: Context, ended: datetime) -> Subquery:
    """A past day: the receivables owed when it ended, those created before and settled at
    or after it (`ix_receivables_owed_between`), each with its entries posted until then
    (`ix_ledger_entries_receivable_id_created_at`, amounts included)."""
    posted_by_then = timestamp_key(_moment(LedgerEntry.created_at)) < timestamp_value(ended)
    owed = func.sum(col(LedgerEntry.amount))
    return (
        select(
            col(Receivable.client_company_id).label("client_id"),
            col(Receivable.currency).label("currency"),
            col(Receivable.due_date).label("due_date"),
            owed.label("owed"),
        )
        .join(
            LedgerEntry,
            and_(col(LedgerEntry.receivable_id) == col(Receivable.id), posted_by_then),
        )
        .where(
            ctx.loaders.visible(RECEIVABLE_BY_ORDER),
            holds_moment(_moment(Receivable.created_at), _moment(Receivable.settled_at), ended),
        )
        .group_by(col(Receivable.id))
        # Its invoice, then payments or a reversal: what a payment made before a
        # cancellation is credited back may leave a balance below zero, never owed.
        .having(owed > 0)
        .subquery("owed")
    )


def owed_now(ctx: Context) -> Subquery:
    """Today nothing is posted after the day ends: the balances as they stand, read from the
    partial index of the receivables still owed (`ix_receivables_owed`)."""
    return (
        select(
            col(Receivable.client_company_id).label("client_id"),
            col(Receivable.currency).label("currency"),
            col(Receivable.due_date).label("due_date"),
            col(Receivable.balance).label("owed"),
        )
        .where(ctx.loaders.visible(RECEIVABLE_BY_ORDER), col(Receivable.balance) > 0)
        .subquery("owed")
    )


def bucket_sums(owed: Subquery, as_of: date) -> list[ColumnElement[Any]]:
    due, amount = owed.c.due_date, owed.c.owed
    edges = [as_of, *(as_of - timedelta(days=days) for days in BUCKET_DAYS)]

    def total_where(condition: ColumnElement[bool]) -> ColumnElement[Any]:
        summed = func.sum(case((condition, amount), else_=0))
        return func.coalesce(summed, 0).cast(Numeric(20, 4))

    return [
        total_where(or_(due.is_(None), due >= edges[0])),
        *(total_where(and_(due < newer, due >= older)) for newer, older in pairwise(edges)),
        total_where(due < edges[-1]),
    ]


async def receivables_aging(
    ctx: Context, *, as_of: date | None, first: int, client: str | None
) -> ReceivablesAging:
    """The aging of what clients owed when `as_of` (default: today, local) ended, per client
    and currency, most overdue first; `client` (a ClientCompany global id) narrows it."""
    check_page_size(first)
    today = local_today(ctx.settings.reporting_zone)
    as_of = as_of or today
    check_day(as_of, name="asOf")
    if as_of > today:
        raise BadUserInput(
            "must not be after today (balances to come are not known)", argument="asOf"
        )
    owed = _owed_on(ctx, as_of)
    buckets = bucket_sums(owed, as_of)
    conditions = []
    if client is not None:
        pk = decode_typed_id(client, "ClientCompany", argument="clientId")
        conditions.append(owed.c.client_id == pk)
    over_90 = buckets[-1]
    overdue = buckets[1] + buckets[2] + buckets[3] + buckets[4]
    rows_statement = (
        select(ClientCompany, owed.c.currency, *buckets)
        .join(ClientCompany, col(ClientCompany.id) == owed.c.client_id)
        .where(*conditions)
        .group_by(col(ClientCompany.id), owed.c.currency)
        .order_by(over_90.desc(), overdue.desc(), col(ClientCompany.id), owed.c.currency)
        .limit(first)
    )
    rows = [
        AgingRow(company, AgingBuckets(currency, *amounts))
        for company, currency, *amounts in await ctx.session.rows(rows_statement)
    ]
    totals = await _totals(ctx, owed, buckets, conditions)
    return ReceivablesAging(as_of, rows, totals)


async def _totals(
    ctx: Context,
    owed: Subquery,
    buckets: list[ColumnElement[Any]],
    conditions: list[ColumnElement[bool]],
) -> list[AgingBuckets]:
    statement = (
        select(owed.c.currency, *buckets)
        .where(*conditions)
        .group_by(owed.c.currency)
        .order_by(owed.c.currency)
    )
    return [
        AgingBuckets(currency, *amounts) for currency, *amounts in await ctx.session.rows(statement)
    ]


async def overdue_receivables_totals(ctx: Context) -> list[AgingBuckets]:
    """Home screen: what clients owe at the end of today per currency, by age (`overdue` is
    the home screen's figure); one statement. The caller gates it on `finance:read`."""
    today = local_today(ctx.settings.reporting_zone)
    owed = owed_now(ctx)
    return await _totals(ctx, owed, bucket_sums(owed, today), [])

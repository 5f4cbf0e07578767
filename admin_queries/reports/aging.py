"""Receivables aging: what each client owed on a day, by how long it had been overdue.

A receivable's balance on day D (a local day of `REPORTING_TIMEZONE`) follows from the
ledger's entries, its history, so a past day needs no snapshot. A balance only falls after
its invoice, so a receivable is owed from its creation (with its invoice) until its
`settled_at` (kept by the ledger's handler): the receivables owed when D ended are the
intervals holding that moment, and each one's balance then is the sum of its entries posted
until then. Today's aging reads no entry at all. Only what was still owed counts (a balance
above zero); a reversal or a payment posted by then brings it to zero.

Ages are whole days past the due date: `current` (not yet due, due that very day, or no due
date yet: terms counted from an event still to come), 1-30, 31-60, 61-90 and over 90 days
overdue. Amounts stay in the receivable's currency: a row is one client in one currency, and
the totals are per currency.

Two statements: the sums per client and currency with, in the same statement, the first rows
of them (ordered by what is over 90 days overdue, then all that is overdue) and the totals
per currency; then the companies of those rows. Today's read only the receivables still owed
(the partial index `ix_receivables_owed`); a past day's the receivables owed then
(`ix_receivables_owed_between`) and their entries until then, so the cost follows what was
owed that day, not the size of the ledger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Numeric,
    Select,
    and_,
    case,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
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
BUCKET_NAMES = ("current", "days_1_to_30", "days_31_to_60", "days_61_to_90", "over_90_days")
# The two parts of the one statement a day's aging is (`_rows_and_totals`).
ROWS, TOTALS = 0, 1


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
    """A past day: the receivables owed when it ended, created before and settled at or after
    it (`ix_receivables_owed_between`), each with the sum of its entries posted until then.

    On PostgreSQL the sum is a LATERAL subquery: a few index-only rows of
    `ix_ledger_entries_receivable_id_created_at` (amounts included) per receivable owed, so
    the cost follows the receivables owed that day, never the ledger's size. SQLite (no
    LATERAL) joins the entries and groups them per receivable."""
    posted_by_then = timestamp_key(_moment(LedgerEntry.created_at)) < timestamp_value(ended)
    owed_then = and_(
        ctx.loaders.visible(RECEIVABLE_BY_ORDER),
        holds_moment(_moment(Receivable.created_at), _moment(Receivable.settled_at), ended),
    )
    columns: tuple[ColumnElement[Any], ...] = (
        col(Receivable.client_company_id).label("client_id"),
        col(Receivable.currency).label("currency"),
        col(Receivable.due_date).label("due_date"),
    )
    if ctx.database.is_sqlite:
        summed = func.sum(col(LedgerEntry.amount))
        return (
            select(*columns, summed.label("owed"))
            .join(
                LedgerEntry,
                and_(col(LedgerEntry.receivable_id) == col(Receivable.id), posted_by_then),
            )
            .where(owed_then)
            .group_by(col(Receivable.id))
            .having(summed > 0)
            .subquery("owed")
        )
    balance = (
        select(func.sum(col(LedgerEntry.amount)).label("owed"))
        .where(col(LedgerEntry.receivable_id) == col(Receivable.id), posted_by_then)
        .lateral("balance")
    )
    return (
        select(*columns, balance.c.owed)
        .select_from(Receivable)
        # Above zero within its interval, as balances only fall after the invoice; checked
        # all the same, so the interval need only bound the days a balance was owed.
        .join(balance, balance.c.owed > 0)
        .where(owed_then)
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
    conditions = []
    if client is not None:
        pk = decode_typed_id(client, "ClientCompany", argument="clientId")
        conditions.append(owed.c.client_id == pk)
    found = await ctx.session.rows(_rows_and_totals(owed, as_of, conditions, first))
    companies = await _companies(ctx, [row.client_id for row in found if row.part == ROWS])
    rows, totals = [], []
    for row in found:
        buckets = AgingBuckets(row.currency, *row[-len(BUCKET_NAMES) :])
        if row.part == ROWS:
            rows.append(AgingRow(companies[row.client_id], buckets))
        else:
            totals.append(buckets)
    return ReceivablesAging(as_of, rows, totals)


def _rows_and_totals(
    owed: Subquery, as_of: date, conditions: list[ColumnElement[bool]], first: int
) -> Select[Any]:
    """One statement, so what was owed is read once: the sums per client and currency, then
    the first rows of them (most over 90 days overdue, then most overdue) and the totals
    per currency (by code) of them all, told apart by `part`."""
    per_client = (
        select(
            owed.c.client_id,
            owed.c.currency,
            *(
                total.label(name)
                for total, name in zip(bucket_sums(owed, as_of), BUCKET_NAMES, strict=True)
            ),
        )
        .where(*conditions)
        .group_by(owed.c.client_id, owed.c.currency)
        .cte("per_client")
    )
    amounts = [per_client.c[name] for name in BUCKET_NAMES]
    overdue = sum(amounts[2:], amounts[1])
    first_rows = (
        select(
            literal(ROWS).label("part"),
            amounts[-1].label("over_90"),
            overdue.label("overdue"),
            per_client.c.client_id,
            per_client.c.currency,
            *amounts,
        )
        .order_by(amounts[-1].desc(), overdue.desc(), per_client.c.client_id, per_client.c.currency)
        .limit(first)
        .subquery("first_rows")
    )
    totals = select(
        literal(TOTALS),
        literal(0),
        literal(0),
        null(),
        per_client.c.currency,
        *(func.sum(amount).cast(Numeric(20, 4)) for amount in amounts),
    ).group_by(per_client.c.currency)
    both = union_all(select(*first_rows.c), totals).subquery("both")
    return select(*both.c).order_by(
        both.c.part,
        both.c.over_90.desc(),
        both.c.overdue.desc(),
        both.c.client_id,
        both.c.currency,
    )


async def _companies(ctx: Context, ids: list[int]) -> dict[int, ClientCompany]:
    if not ids:
        return {}
    statement = select(ClientCompany).where(col(ClientCompany.id).in_(ids))
    return {company.id: company for company in await ctx.session.scalars(statement) if company.id}


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
